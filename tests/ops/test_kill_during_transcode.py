"""``kill -9`` of ``vod serve`` mid-transcode: nothing of the service survives, and a restart sweeps its leftovers."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from tests.e2e.conftest import API_KEY, START_TIMEOUT_S, VOD, free_port, wait_for
from tests.media.factory import Clip, make_clip

pytestmark = pytest.mark.slow


class Service:
    """``vod serve`` as the leader of its own session, so its process group is exactly the service."""

    def __init__(self, data_dir: Path, tmp_dir: Path, extra_env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        env = {
            **os.environ,
            "VOD_DATA_DIR": str(data_dir),
            "VOD_HOST": "127.0.0.1",
            "VOD_PORT": str(self.port),
            "VOD_DEFAULT_API_KEY": API_KEY,
            "TMPDIR": str(tmp_dir),
            **(extra_env or {}),
        }
        self.log = tmp_dir.parent / f"serve-{self.port}.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [VOD, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.api = httpx.Client(
            base_url=f"http://127.0.0.1:{self.port}", headers={"Authorization": f"Bearer {API_KEY}"}, timeout=30
        )
        wait_for("vod serve to answer /health", self._healthy, START_TIMEOUT_S)

    def _healthy(self) -> bool | None:
        assert self.process.poll() is None, f"vod serve exited with {self.process.returncode}"
        try:
            return self.api.get("/health").status_code == 200 or None
        except httpx.TransportError:
            return None

    def terminate(self, timeout_s: float = 60.0) -> int:
        """SIGTERM, then the exit status; a service that does not stop in time fails the test with its log."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            tail = self.log.read_text(errors="replace")[-4000:]
            pytest.fail(f"vod serve did not stop within {timeout_s:.0f} s of SIGTERM; its log ends:\n{tail}")

    def ok(self, response: httpx.Response) -> dict[str, object]:
        assert response.status_code == 200, response.text
        body: dict[str, object] = response.json()
        return body


def group_members(pgid: int) -> list[psutil.Process]:
    """Live (not zombie) processes of process group ``pgid``."""
    members = []
    for process in psutil.process_iter(["status"]):
        try:
            if os.getpgid(process.pid) == pgid and process.info["status"] != psutil.STATUS_ZOMBIE:
                members.append(process)
        except (ProcessLookupError, psutil.NoSuchProcess):
            continue
    return members


@pytest.fixture
def pgids() -> Iterator[list[int]]:
    """Process groups to kill whatever the test's outcome."""
    started: list[int] = []
    yield started
    for pgid in started:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)


def test_kill_9_mid_transcode_leaves_no_process_and_the_restart_sweeps_temp_files(
    tmp_path: Path, pgids: list[int]
) -> None:
    data_dir, tmp_dir = tmp_path / "data", tmp_path / "tmp"
    tmp_dir.mkdir()
    clip = tmp_path / "long.mp4"
    make_clip(str(clip), Clip(width=640, height=360, seconds=40.0, audio=False))

    first = Service(data_dir, tmp_dir)
    pgids.append(first.process.pid)
    storage_id = first.ok(first.api.post("/storage/api/upload", files={"file": ("long.mp4", clip.read_bytes())}))[
        "storage_id"
    ]
    video_id = first.ok(first.api.post("/video/api/create", json={"storage_id": storage_id}))["id"]

    def video() -> dict[str, object]:
        found = first.ok(first.api.get("/video/api/get", params={"id": video_id}))["video"]
        assert isinstance(found, dict)
        return found

    wait_for("the video to be ready", lambda: True if video()["status"] == 1 else None)
    first.ok(first.api.post("/video/api/trans", params={"id": video_id}, json={"task_config_temp_id": 1}))

    def transcoding() -> bool | None:
        (play_set,) = video()["play_set"]  # type: ignore[misc]
        assert play_set["status"] in (0, 2), f"the transcode ended before the kill: {play_set}"
        return True if play_set["status"] == 2 and play_set["trans_progress"] > 0 else None

    wait_for("the transcode to make progress", transcoding)
    workers = [p for p in psutil.Process(first.process.pid).children() if "spawn_main" in " ".join(p.cmdline())]
    assert workers, "no transcode worker process"
    leftovers = list(tmp_dir.glob(f"vod-transcode-{first.process.pid}-*"))
    assert leftovers, "the transcode's work directory should exist"

    first.process.send_signal(signal.SIGKILL)
    first.process.wait(timeout=10)
    survivors = wait_for(
        "the service's processes to end",
        lambda: None if group_members(first.process.pid) else [],
        timeout_s=15,
    )
    assert survivors == []
    assert list(tmp_dir.glob(f"vod-transcode-{first.process.pid}-*")) == leftovers  # nobody cleaned up

    # what a killed upload leaves: one of a dead process, one of a live one (this test) still being written
    storage_tmp = data_dir / "storage" / "tmp"
    dead_upload = storage_tmp / f"upload-{first.process.pid}-abandoned"
    live_upload = storage_tmp / f"upload-{os.getpid()}-in-progress"
    dead_upload.write_bytes(b"half")
    live_upload.write_bytes(b"half")

    second = Service(data_dir, tmp_dir)
    pgids.append(second.process.pid)
    assert not [p for p in leftovers if p.exists()]
    assert not dead_upload.exists()
    assert live_upload.exists()
    assert second.terminate() == 0
