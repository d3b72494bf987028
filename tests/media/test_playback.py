"""A packaged rendition plays and seeks as a progressive file and as HLS, in Chromium and in PyAV.

The files and the playlists built from the index are served by a plain
static HTTP server with Range support (aiohttp), so this checks the
packaging alone; the service's own routes are tested with the HTTP layer.
Debian's ``chromium`` is driven by Playwright (never a browser download).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import av
import pytest
from aiohttp import web

from adapters.media.ladder import transcode_ladder
from tests.conftest import unreachable
from vod_core import hls
from vod_core.play_set import PlaySet, PlaySetStatus
from vod_core.ports.media import RenditionRequest
from vod_core.templates import BUILTIN_TEMPLATES

pytestmark = pytest.mark.slow

T0 = datetime(2026, 1, 1, tzinfo=UTC)
CHROMIUM = Path(os.environ.get("VOD_TEST_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run", "--mute-audio"]
PLAY = """async (src) => {
  const v = document.createElement('video');
  v.muted = true;
  document.body.appendChild(v);
  const within = (p, what) => Promise.race([p, new Promise((_, ko) => setTimeout(
      () => ko(what + ' timed out at ' + v.currentTime + ', error ' + (v.error && v.error.message)), 20000))]);
  const seek = (t) => { v.currentTime = t; return within(new Promise(ok => v.onseeked = ok), 'seek to ' + t); };
  v.src = src;
  await within(new Promise((ok, ko) => { v.onloadedmetadata = ok; v.onerror = () => ko('error ' + v.error.code); }),
               'metadata');
  const duration = v.duration;
  await seek(3.3);
  const afterSeek = v.currentTime;
  await v.play();
  await seek(duration - 0.5);
  await within(new Promise(ok => v.onended = ok), 'end');
  return {duration, afterSeek, ended: v.ended};
}"""


async def _blank_page(_: web.Request) -> web.Response:
    return web.Response(text="<html><body></body></html>", content_type="text/html")


class StaticServer:
    """Serves a folder over HTTP on loopback, on its own thread, until closed."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.ready = threading.Event()
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self.ready.wait(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_get("/", _blank_page)
        app.router.add_static("/media", self.folder)
        runner = web.AppRunner(app)
        self._loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(runner.cleanup())

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


@pytest.fixture(scope="module")
def served(clips: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[StaticServer]:
    """Two rungs of the 6 s clip, their media playlists and a master playlist."""
    folder = tmp_path_factory.mktemp("served")
    requests = [RenditionRequest(BUILTIN_TEMPLATES[t], str(folder / f"r{t}.mp4")) for t in (1, 5)]
    renditions = transcode_ladder(clips["long"], requests, lambda _: True)
    play_sets = []
    for template, rendition in zip((1, 5), renditions, strict=True):
        assert rendition.hls is not None
        (folder / f"r{template}.m3u8").write_text(hls.media_playlist(rendition.hls, f"r{template}.mp4"))
        play_sets.append(
            PlaySet(f"r{template}", "v", "u", template, "", T0, T0,
                    status=PlaySetStatus.READY, video_width=rendition.width, video_height=rendition.height,
                    hls_index=rendition.hls.to_json())
        )  # fmt: skip
    (folder / "master.m3u8").write_text(hls.master_playlist(play_sets, lambda p: f"{p.id}.m3u8"))
    server = StaticServer(folder)
    yield server
    server.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as exc:
        unreachable("Playwright", exc)
    if not CHROMIUM.exists() and not shutil.which("chromium"):
        unreachable("Chromium", FileNotFoundError(str(CHROMIUM)))
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        except Error as exc:
            unreachable("Chromium", exc)
        yield launched
        launched.close()


@pytest.mark.parametrize("name", ["r1.mp4", "master.m3u8"])
def test_chromium_plays_a_rendition_progressively_and_as_hls_seeks_and_reaches_the_end(
    served: StaticServer, browser: object, name: str
) -> None:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    page = browser.new_page()
    try:
        page.goto(served.url(""))  # an http origin: native HLS refuses file:// pages
        result = page.evaluate(PLAY, served.url(f"media/{name}"))
    finally:
        page.close()
    assert result["duration"] == pytest.approx(6.0, abs=0.1)
    assert result["afterSeek"] == pytest.approx(3.3, abs=0.05)
    assert result["ended"] is True


def test_pyav_opens_the_master_playlist_over_http_decodes_every_rendition_and_seeks(served: StaticServer) -> None:
    with av.open(served.url("media/master.m3u8")) as container:
        streams = list(container.streams.video)
        assert sorted((s.codec_context.width, s.codec_context.height) for s in streams) == [(320, 180), (320, 180)]
        decoded = {s.index: 0 for s in streams}
        for packet in container.demux(*streams):
            decoded[packet.stream.index] += len(packet.decode())
    assert sorted(decoded.values()) == [144, 144]  # every picture of both renditions
    with av.open(served.url("media/r5.m3u8")) as container:
        frames = sum(1 for _ in container.decode(video=0))
    with av.open(served.url("media/r5.m3u8")) as container:
        container.seek(3_100_000)
        after_seek = [float(f.time or 0) for f in container.decode(video=0)]
    assert frames == 144
    # FFmpeg's HLS demuxer resumes at a keyframe whose decode time is past the target: here the next GOP
    assert after_seek[0] in (pytest.approx(2.0, abs=0.002), pytest.approx(4.0, abs=0.002))
    assert after_seek[-1] == pytest.approx(6.0 - 1 / 24, abs=0.01)
