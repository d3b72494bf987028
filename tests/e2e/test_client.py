"""The ``vod`` client commands against a real ``vod serve`` (SQLite, PyAV): tus upload and resume, videos, wait."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.e2e.conftest import API_KEY, VOD, Server, free_port, start_server, wait_for
from tests.support.stalling_proxy import StallingProxy

pytestmark = pytest.mark.slow
RUN_TIMEOUT_S = 180


def client_env(api_url: str, state: Path, key: str = API_KEY) -> dict[str, str]:
    return {**os.environ, "VOD_API_URL": api_url, "VOD_API_KEY": key, "VOD_UPLOAD_STATE": str(state)}


def vod(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([VOD, *args], env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=False)


def json_lines(result: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    assert result.stdout.strip(), result.stderr
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def uploaded_video(server: Server, data: bytes, name: str) -> str:
    """A video made through the plain (non-tus) upload, for the commands that only read or change one."""
    with server.client() as http:
        stored = http.post("/storage/api/upload", params={"filename": name}, content=data).json()
        assert stored["errcode"] == 1000, stored
        created = http.post("/video/api/create", json={"storage_id": stored["storage_id"]}).json()
        assert created["errcode"] == 1000, created
        return str(created["id"])


@pytest.fixture
def env(server: Server, tmp_path: Path) -> dict[str, str]:
    return client_env(server.base_url, tmp_path / "state" / "uploads.json")


def test_videos_wait_get_search_share_and_delete_print_the_servers_json(
    server: Server, env: dict[str, str], clip: Path
) -> None:
    video_id = uploaded_video(server, clip.read_bytes(), "cli-library.mp4")

    (ready,) = json_lines(waited := vod(env, "wait", video_id, "--json", "--timeout", "120"))
    assert waited.returncode == 0, waited.stderr
    assert ready["id"] == video_id and ready["status"] == 1 and ready["video_width"] == 320

    listed = json_lines(vod(env, "videos", "list", "--json", "--page-size", "100"))[0]
    assert video_id in [v["id"] for v in listed["videos"]] and listed["count"] >= 1
    (got,) = json_lines(vod(env, "videos", "get", video_id, "--json"))
    assert got["id"] == video_id and got["video_name"] == "cli-library.mp4"
    found = json_lines(vod(env, "videos", "search", "CLI-LIBRARY", "--json"))[0]
    assert [v["id"] for v in found["videos"]] == [video_id] and found["count"] == 1
    assert json_lines(vod(env, "videos", "search", "no-such-name", "--json"))[0] == {"videos": [], "count": 0}

    for option, state in ((["--password", "s3cret"], 1), (["--public"], 2), (["--private"], 0)):
        (shared,) = json_lines(vod(env, "share", video_id, *option, "--json"))
        assert shared["shared_state"] == state, option
    assert shared["share_password"] == ""

    assert json_lines(vod(env, "videos", "delete", video_id, "--json")) == [{"id": video_id, "deleted": True}]
    gone = vod(env, "videos", "get", video_id, "--json")
    assert gone.returncode == 1 and gone.stdout == ""
    with server.client() as http:
        message = http.get("/video/api/get", params={"id": video_id}).json()["msg"]
    assert gone.stderr.strip() == f"vod: {message}"


def test_tables_for_people_name_the_video_and_its_status(server: Server, env: dict[str, str], clip: Path) -> None:
    video_id = uploaded_video(server, clip.read_bytes(), "table-holiday.mp4")
    assert vod(env, "wait", video_id).returncode == 0
    table = vod(env, "videos", "list", "--page-size", "100")
    assert table.returncode == 0, table.stderr
    (row,) = [line for line in table.stdout.splitlines() if video_id in line]
    assert "table-holiday.mp4" in row and "ready" in row and "320x180" in row
    details = vod(env, "videos", "get", video_id)
    assert details.returncode == 0 and "ready" in details.stdout and video_id in details.stdout


def test_waiting_on_a_file_that_is_no_video_exits_non_zero(server: Server, env: dict[str, str]) -> None:
    video_id = uploaded_video(server, b"plain text, no video at all\n" * 100, "notes.mp4")
    result = vod(env, "wait", video_id, "--json", "--timeout", "120")
    assert result.returncode == 1
    (failed,) = json_lines(result)
    assert failed["status"] == 3
    assert f"vod: video {video_id} failed" in result.stderr


def test_errors_print_the_servers_message_and_exit_non_zero(server: Server, tmp_path: Path) -> None:
    refused = vod(client_env(server.base_url, tmp_path / "s.json", key="not-a-key"), "videos", "list", "--json")
    assert refused.returncode == 1 and refused.stdout == ""
    with httpx.Client(base_url=server.base_url) as http:
        message = http.get("/video/api/list", headers={"Authorization": "Bearer not-a-key"}).json()["msg"]
    assert refused.stderr.strip() == f"vod: {message}"

    bad_page = vod(client_env(server.base_url, tmp_path / "s.json"), "videos", "list", "--page-size", "101")
    assert bad_page.returncode == 1 and "page_size" in bad_page.stderr

    nobody = f"http://127.0.0.1:{free_port()}"
    unreachable = vod(client_env(nobody, tmp_path / "s.json"), "videos", "list")
    assert unreachable.returncode == 1 and f"vod: cannot reach {nobody}" in unreachable.stderr
    assert "Traceback" not in unreachable.stderr

    missing = vod(client_env(server.base_url, tmp_path / "s.json"), "upload", str(tmp_path / "nothing.mp4"))
    assert missing.returncode == 1 and "nothing.mp4" in missing.stderr and "Traceback" not in missing.stderr


def test_upload_with_trans_and_wait_prints_the_ready_video(server: Server, env: dict[str, str], clip: Path) -> None:
    result = vod(env, "upload", str(clip), "--trans", "1", "--wait", "--json", "--name", "cli-upload")
    assert result.returncode == 0, result.stderr
    (video,) = json_lines(result)
    assert video["status"] == 1 and video["video_name"] == "cli-upload"
    assert video["file_size"] == clip.stat().st_size
    (play_set,) = [p for p in video["play_set"] if p["trans_task_config_temp_id"] == 1]
    assert play_set["status"] == 1 and play_set["trans_progress"] == 1.0
    assert httpx.get(video["origin_url"], timeout=30).content == clip.read_bytes()
    assert json.loads(Path(env["VOD_UPLOAD_STATE"]).read_text()) == {"uploads": {}}


@pytest.fixture
def proxy() -> Iterator[StallingProxy]:
    running = StallingProxy()
    running.serve()
    yield running
    running.close()


def test_an_upload_stopped_by_ctrl_c_resumes_on_the_next_run_and_ends_byte_identical(
    tmp_path: Path, clip: Path, proxy: StallingProxy
) -> None:
    # The service behind a proxy (its public base URL), so the upload URLs it hands out go through it too.
    server = start_server(tmp_path / "vod-data", VOD_DEFAULT_API_KEY=API_KEY, VOD_PUBLIC_BASE_URL=proxy.url)
    proxy.upstream_port = urlsplit(server.base_url).port or 0
    try:
        size = clip.stat().st_size
        chunk = max(4096, size // 8)
        state = tmp_path / "uploads.json"
        env = client_env(proxy.url, state)
        args = ("upload", str(clip), "--chunk-size", str(chunk), "--json")

        proxy.stall_after(2 * chunk + chunk // 2)  # two chunks in, the third half-sent: then the link goes dead
        first = subprocess.Popen([VOD, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            wait_for("the upload to stall", lambda: proxy.stalled.is_set() or None)
            upload_url = wait_for("the remembered upload URL", lambda: _only_upload(state))
            with server.client() as http:
                head = {"Tus-Resumable": "1.0.0"}
                offset = http.head(urlsplit(upload_url).path, headers=head).headers["Upload-Offset"]
            assert int(offset) == 2 * chunk
            first.send_signal(signal.SIGINT)
            out, errors = first.communicate(timeout=60)
        finally:
            first.kill()
        assert first.returncode == 130, errors
        assert "Traceback" not in errors and out == ""
        proxy.cut()

        proxy.reset()
        second = vod(env, *args, "--wait")
        assert second.returncode == 0, second.stderr
        assert proxy.sent < size, "the second run sent the whole file again"
        (video,) = json_lines(second)
        assert video["status"] == 1 and video["file_size"] == size
        assert httpx.get(video["origin_url"], timeout=30).content == clip.read_bytes()
        assert _only_upload(state) is None
    finally:
        code, output = server.stop()
    assert code == 0, output


def _ready(server: Server, video_id: str) -> dict[str, Any] | None:
    with server.client() as http:
        video: dict[str, Any] = http.get("/video/api/get", params={"id": video_id}).json()["video"]
    return video if video["status"] == 1 else None


def _only_upload(state: Path) -> str | None:
    try:
        uploads = json.loads(state.read_text())["uploads"]
    except FileNotFoundError:
        return None
    assert len(uploads) <= 1
    return next(iter(uploads.values()), None)
