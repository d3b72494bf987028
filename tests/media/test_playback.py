"""A video plays and seeks through the service, as HLS and as a progressive file, in Chromium and in PyAV.

A real ``vod serve`` (in-process jobs, SQLite) transcodes a 6 s clip to two
renditions; the players get everything from the URLs the API hands out for
the private video: the signed ``hls_url`` (master playlist → media
playlists → byte ranges of ``/files``) and the signed ``play_set.url``.
Chromium (Debian's ``chromium`` driven by Playwright, never a browser
download) plays in a ``<video crossorigin>`` on a page of another origin
(a plain static server), so every playlist and range goes through CORS, as
for a player embedded elsewhere; every request the page makes is recorded,
and one to any host but loopback fails the test. (Requests are recorded,
not intercepted: Chromium's native HLS stops after the master playlist
when Playwright routes its requests.)
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import av
import httpx
import pytest

from tests.e2e.conftest import API_KEY, Server, start_server, wait_for
from tests.support.browser import headless_chromium

pytestmark = pytest.mark.slow

LOCAL_HOSTS = {"127.0.0.1"}
PLAY = """async (src) => {
  const v = document.createElement('video');
  v.muted = true;
  v.crossOrigin = 'anonymous';
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
  await within(new Promise(ok => { const t = () => v.currentTime > afterSeek + 0.3 ? ok() : setTimeout(t, 20); t(); }),
               'playing after the seek');
  const advanced = v.currentTime;
  await seek(duration - 0.5);
  await within(new Promise(ok => v.onended = ok), 'end');
  return {duration, afterSeek, advanced, ended: v.ended};
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(tmp_path_factory.mktemp("vod-data"), VOD_DEFAULT_API_KEY=API_KEY)
    yield running
    code, output = running.stop()
    assert code == 0, output


@pytest.fixture(scope="module")
def video(server: Server, clips: dict[str, str]) -> dict[str, Any]:
    """The private video of the 6 s clip with two ready renditions (360P and Origin), as ``get`` returns it."""
    with server.client() as api:
        upload = api.post("/storage/api/upload", files={"file": ("long.mp4", Path(clips["long"]).read_bytes())})
        created = api.post("/video/api/create", json={"storage_id": upload.json()["storage_id"]}).json()
        assert created["errcode"] == 1000, created

        def get() -> dict[str, Any]:
            found: dict[str, Any] = api.get("/video/api/get", params={"id": created["id"]}).json()["video"]
            assert found["status"] in (0, 1, 2) and all(p["status"] not in (4, 6, 7) for p in found["play_set"])
            return found

        wait_for("the video to be probed", lambda: get() if get()["status"] == 1 else None)
        for template in (1, 5):
            response = api.post(
                "/video/api/trans", params={"id": created["id"]}, json={"task_config_temp_id": template}
            )
            assert response.json()["errcode"] == 1000, response.text

        def ready() -> dict[str, Any] | None:
            found = get()
            return found if [p["status"] for p in found["play_set"]] == [1, 1] else None

        return wait_for("two ready renditions", ready, 120)


@pytest.fixture(scope="module")
def player_page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A blank page on another loopback origin than the service's: native HLS refuses ``file://`` pages."""
    folder = tmp_path_factory.mktemp("player")
    (folder / "player.html").write_text("<html><body></body></html>")
    handler = functools.partial(_QuietHandler, directory=str(folder))
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as page_server:
        thread = threading.Thread(target=page_server.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{page_server.server_address[1]}/player.html"
        page_server.shutdown()
        thread.join(10)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    yield from headless_chromium()


def test_the_private_videos_urls_are_signed_and_refused_unsigned(video: dict[str, Any]) -> None:
    assert video["shared_state"] == 0 and "signature=" in video["hls_url"]
    assert urlsplit(video["hls_url"]).path == f"/hls/{video['id']}/master.m3u8"
    assert httpx.get(video["hls_url"].partition("?")[0]).status_code == 403
    master = httpx.get(video["hls_url"])
    assert master.status_code == 200 and master.headers["content-type"] == "application/vnd.apple.mpegurl"
    assert master.text.count("#EXT-X-STREAM-INF:") == 2


@pytest.mark.parametrize("which", ["hls_url", "play_set.url"])
def test_chromium_plays_to_the_end_and_seeks_from_another_origin(
    server: Server, video: dict[str, Any], browser: object, player_page: str, which: str
) -> None:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    source = video["hls_url"] if which == "hls_url" else video["play_set"][0]["url"]
    requested: list[str] = []
    context = browser.new_context()
    try:
        page = context.new_page()
        page.on("request", lambda request: requested.append(request.url))
        page.goto(player_page)
        result = page.evaluate(PLAY, source)
    finally:
        context.close()
    assert requested and all(urlsplit(url).hostname in LOCAL_HOSTS for url in requested), requested
    assert any(urlsplit(url).port == urlsplit(server.base_url).port for url in requested)
    assert result["duration"] == pytest.approx(6.0, abs=0.1)
    assert result["afterSeek"] == pytest.approx(3.3, abs=0.05)
    assert result["advanced"] > result["afterSeek"] + 0.3
    assert result["ended"] is True
    if which == "hls_url":  # the player followed the playlists to the files
        log = server.log_path.read_text()
        assert f"/hls/{video['id']}/master.m3u8" in log and "/media.m3u8" in log


def test_pyav_opens_the_master_playlist_over_http_decodes_every_rendition_and_seeks(video: dict[str, Any]) -> None:
    with av.open(video["hls_url"]) as container:
        streams = list(container.streams.video)
        assert sorted((s.codec_context.width, s.codec_context.height) for s in streams) == [(320, 180), (320, 180)]
        decoded = {s.index: 0 for s in streams}
        for packet in container.demux(*streams):
            decoded[packet.stream.index] += len(packet.decode())
    assert sorted(decoded.values()) == [144, 144]  # every picture of both renditions
    media = [line for line in httpx.get(video["hls_url"]).text.splitlines() if line.startswith("http")]
    for url in media:
        assert urlsplit(url).hostname in LOCAL_HOSTS
        with av.open(url) as container:
            container.seek(3_100_000)
            after_seek = [float(f.time or 0) for f in container.decode(video=0)]
        # FFmpeg's HLS demuxer resumes at a keyframe whose decode time is past the target: here the next GOP
        assert after_seek[0] in (pytest.approx(2.0, abs=0.002), pytest.approx(4.0, abs=0.002))
        assert after_seek[-1] == pytest.approx(6.0 - 1 / 24, abs=0.01)
