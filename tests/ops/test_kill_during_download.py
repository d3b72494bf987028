"""``kill -9`` of ``vod serve`` mid-download from a URL: nothing partial is visible, the restart downloads again."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.e2e.conftest import wait_for
from tests.media.factory import Clip, make_clip
from tests.ops.test_kill_during_transcode import Service, pgids

pytestmark = pytest.mark.slow
__all__ = ["pgids"]  # the fixture, shared with the transcode test

HELD_S = 120.0
"""How long the first answer waits, half sent, for the test to kill its reader (released at the end anyway)."""


class Source:
    """A loopback server of one clip: the first request gets half of it and then stalls; later ones all of it."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.requests = 0
        self.half_sent = threading.Event()
        self.release = threading.Event()
        source = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                source.requests += 1
                first = source.requests == 1
                self.send_response(200)
                self.send_header("Content-Type", "video/mp4")
                self.send_header("Content-Length", str(len(source.body)))
                self.end_headers()
                if first:
                    self.wfile.write(source.body[: len(source.body) // 2])
                    self.wfile.flush()
                    source.half_sent.set()
                    source.release.wait(HELD_S)
                    return
                self.wfile.write(source.body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/holiday.mp4"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def source(tmp_path: Path) -> Iterator[Source]:
    clip = tmp_path / "holiday.mp4"
    make_clip(str(clip), Clip(width=320, height=180, seconds=4.0))
    running = Source(clip.read_bytes())
    yield running
    running.close()


def test_kill_9_mid_download_leaves_nothing_visible_and_the_restart_downloads_again(
    tmp_path: Path, pgids: list[int], source: Source
) -> None:
    data_dir, tmp_dir = tmp_path / "data", tmp_path / "tmp"
    tmp_dir.mkdir()
    allow = {"VOD_ALLOW_PRIVATE_URLS": "1"}
    first = Service(data_dir, tmp_dir, allow)
    pgids.append(first.process.pid)
    video_id = first.ok(first.api.post("/video/api/create", json={"source_url": source.url}))["id"]
    assert source.half_sent.wait(60), "the download did not start"
    video = first.ok(first.api.get("/video/api/get", params={"id": video_id}))["video"]
    assert isinstance(video, dict) and video["status"] == 2
    storage_id = str(video["storage_id"])
    assert first.api.get("/storage/api/get", params={"id": storage_id}).json()["errcode"] == 3102

    first.process.kill()
    first.process.wait(timeout=10)
    storage = data_dir / "storage"
    assert list(storage.rglob(storage_id)) == []  # the half download is no object
    partial = list((storage / "tmp").glob(f"upload-{first.process.pid}-*"))
    assert partial, "the half download should be in the store's temporary directory"

    second = Service(data_dir, tmp_dir, allow)
    pgids.append(second.process.pid)
    assert not [p for p in partial if p.exists()]  # swept at start: the writer is dead

    def ready() -> dict[str, object] | None:
        found = second.ok(second.api.get("/video/api/get", params={"id": video_id}))["video"]
        assert isinstance(found, dict) and found["status"] in (1, 2), found
        return found if found["status"] == 1 else None

    done = wait_for("the restarted service to download and probe the video", ready, timeout_s=120)
    assert (done["video_width"], done["video_height"], done["file_size"]) == (320, 180, len(source.body))
    assert source.requests == 2
    stored = second.ok(second.api.get("/storage/api/get", params={"id": storage_id}))
    assert stored["file_size"] == len(source.body)
    second.process.terminate()
    assert second.process.wait(timeout=60) == 0
