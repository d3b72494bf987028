"""The watch and embed pages in Debian's Chromium against a real ``vod serve``: public, password, not available.

One 2 s clip is uploaded and transcoded once (360P); the tests then change
its share state. Every test opens a fresh browser context (no cookies, no
key: a stranger) and records every request it makes, from the page and its
frames; one to any host but loopback fails the test. (Requests are
recorded, not intercepted: Chromium's native HLS stops after the master
playlist when Playwright routes its requests.)
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import Server, wait_for
from tests.support.browser import LOOPBACK_HOSTS, PLAYS, headless_chromium

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def video_id(server: Server, clip: Path) -> str:
    """A video of the 2 s clip with a ready 360P rendition (so an HLS playlist too)."""
    with server.client() as api:
        upload = api.post("/storage/api/upload", files={"file": ("holiday.mp4", clip.read_bytes())})
        created = api.post("/video/api/create", json={"storage_id": upload.json()["storage_id"]}).json()
        assert created["errcode"] == 1000, created

        def get() -> dict[str, Any]:
            found: dict[str, Any] = api.get("/video/api/get", params={"id": created["id"]}).json()["video"]
            assert found["status"] in (0, 1, 2) and all(p["status"] not in (4, 6, 7) for p in found["play_set"])
            return found

        wait_for("the video to be probed", lambda: True if get()["status"] == 1 else None)
        trans = api.post("/video/api/trans", params={"id": created["id"]}, json={"task_config_temp_id": 1})
        assert trans.json()["errcode"] == 1000, trans.text
        wait_for("a ready rendition", lambda: True if [p["status"] for p in get()["play_set"]] == [1] else None, 120)
        video_id: str = created["id"]
        return video_id


def share(server: Server, video_id: str, state: int, password: str = "") -> None:
    with server.client() as api:
        response = api.post(
            "/video/api/set_video_password", params={"id": video_id}, json={"shared_state": state, "password": password}
        )
        assert response.json()["errcode"] == 1000, response.text


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    yield from headless_chromium()


@pytest.fixture
def stranger(browser: object) -> Iterator[tuple[Any, list[str]]]:
    """A fresh browser context and the URLs of every request made in it (pages, frames, media)."""
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    requested: list[str] = []
    context = browser.new_context()
    context.on("request", lambda request: requested.append(request.url))
    yield context, requested
    context.close()
    assert requested and all(urlsplit(url).hostname in LOOPBACK_HOSTS for url in requested), requested


@pytest.fixture(scope="module")
def other_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A static site on another loopback port (another origin): its folder and its base URL."""
    folder = tmp_path_factory.mktemp("other-site")
    handler = functools.partial(_QuietHandler, directory=str(folder))
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as site:
        thread = threading.Thread(target=site.serve_forever, daemon=True)
        thread.start()
        yield folder, f"http://127.0.0.1:{site.server_address[1]}"
        site.shutdown()
        thread.join(10)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


def _video_of(server: Server, video_id: str) -> dict[str, Any]:
    with server.client() as api:
        found: dict[str, Any] = api.get("/video/api/get", params={"id": video_id}).json()["video"]
        return found


def _path(url: str) -> str:
    return urlsplit(url).path


def test_a_public_video_plays_on_its_watch_page_for_a_stranger(
    server: Server, video_id: str, stranger: tuple[Any, list[str]]
) -> None:
    share(server, video_id, 2)
    context, requested = stranger
    page = context.new_page()
    response = page.goto(f"{server.base_url}/watch/{video_id}")
    assert response.status == 200
    owner_view = _video_of(server, video_id)
    assert page.locator("h1").inner_text() == owner_view["video_name"]
    played = page.locator("video").evaluate(PLAYS)
    assert played["currentTime"] >= 0.5
    # Chromium plays HLS natively: the player took the master playlist; the poster is the cover.
    assert _path(played["src"]) == _path(owner_view["hls_url"]) == f"/hls/{video_id}/master.m3u8"
    assert _path(played["poster"]) == _path(owner_view["thumb_url"])
    assert any(_path(url).startswith("/files/") for url in requested)


def test_the_embed_page_plays_in_an_iframe_on_another_origin(
    server: Server, video_id: str, stranger: tuple[Any, list[str]], other_site: tuple[Path, str]
) -> None:
    share(server, video_id, 2)
    folder, site = other_site
    embed_url = f"{server.base_url}/embed/{video_id}"
    (folder / "blog.html").write_text(
        f'<!DOCTYPE html><html><body><h1>My blog</h1><iframe src="{embed_url}" width="640" height="360"'
        ' allow="autoplay; fullscreen" title="holiday"></iframe></body></html>'
    )
    context, _ = stranger
    page = context.new_page()
    page.goto(f"{site}/blog.html")
    frame = page.wait_for_selector("iframe").content_frame()
    assert frame is not None
    frame.wait_for_selector("video")
    assert urlsplit(frame.url).port != urlsplit(page.url).port  # another origin
    played = frame.locator("video").evaluate(PLAYS)
    assert played["currentTime"] >= 0.5 and _path(played["src"]) == f"/hls/{video_id}/master.m3u8"


def test_a_password_video_asks_for_its_password_then_plays(
    server: Server, video_id: str, stranger: tuple[Any, list[str]]
) -> None:
    share(server, video_id, 1, "s3cret")
    context, requested = stranger
    page = context.new_page()
    assert page.goto(f"{server.base_url}/watch/{video_id}").status == 200
    field = page.get_by_label("Password")
    assert field.is_visible() and not page.locator("video").is_visible()
    field.fill("wrong")
    field.press("Enter")  # by keyboard
    error = page.locator("#watch-password-error")
    error.filter(has_text="wrong password").wait_for()
    assert not page.locator("video").is_visible()
    field.fill("s3cret")
    page.get_by_role("button", name="Watch").click()
    page.locator("video").wait_for(state="visible")
    assert page.locator("h1").inner_text() == _video_of(server, video_id)["video_name"]
    played = page.locator("video").evaluate(PLAYS)
    assert played["currentTime"] >= 0.5
    assert "signature=" in played["src"]  # get_shared_video's signed URL
    assert any(_path(url) == "/video/api/get_shared_video" for url in requested)


@pytest.mark.parametrize("page_path", ["/watch", "/embed"])
def test_private_and_missing_videos_show_the_same_not_available_page(
    server: Server, video_id: str, stranger: tuple[Any, list[str]], page_path: str
) -> None:
    share(server, video_id, 0)
    context, _ = stranger
    page = context.new_page()
    seen = []
    for which in (video_id, "no-such-video"):
        response = page.goto(f"{server.base_url}{page_path}/{which}")
        seen.append((response.status, response.text(), page.locator("h1").inner_text()))
    assert seen[0] == seen[1]
    assert seen[0][0] == 404 and seen[0][2] == "Not available"


def _choose(page: Any, video: dict[str, Any], *, native_hls: bool, height_px: int) -> dict[str, str]:
    """What player.js's startPlayer sets on a fresh ``<video>`` of ``height_px`` CSS pixels."""
    script = """async ([video, nativeHls, height]) => {
      const { startPlayer } = await import('/static/player.js');
      const element = document.createElement('video');
      element.style.height = height + 'px';
      element.canPlayType = (type) => (nativeHls && type === 'application/vnd.apple.mpegurl' ? 'maybe' : '');
      document.body.appendChild(element);
      startPlayer(element, video);
      const chosen = {src: element.getAttribute('src') || '', poster: element.getAttribute('poster') || ''};
      element.remove();
      return chosen;
    }"""
    chosen: dict[str, str] = page.evaluate(script, [video, native_hls, height_px])
    return chosen


def _play_set(height: int, status: int = 1) -> dict[str, Any]:
    width = height * 16 // 9
    return {"status": status, "url": f"/p{height}-{status}.mp4", "video_width": width, "video_height": height}


FAKE_VIDEO = {
    "hls_url": "/master.m3u8",
    "origin_url": "/origin.mp4",
    "thumb_url": "/cover.jpg",
    "play_set": [_play_set(720), _play_set(240, status=2), _play_set(180), _play_set(360)],
}


@pytest.mark.parametrize(
    ("scale", "height_px", "native_hls", "video", "expected"),
    [
        (1, 200, True, FAKE_VIDEO, "/master.m3u8"),
        (1, 200, False, FAKE_VIDEO, "/p360-1.mp4"),  # the smallest ready one at least 200 px high
        (1, 150, False, FAKE_VIDEO, "/p180-1.mp4"),  # the 240 one is not ready
        (2, 200, False, FAKE_VIDEO, "/p720-1.mp4"),  # 400 device pixels
        (1, 1000, False, FAKE_VIDEO, "/p720-1.mp4"),  # none high enough: the largest
        (1, 200, True, {**FAKE_VIDEO, "hls_url": ""}, "/p360-1.mp4"),
        (1, 200, False, {**FAKE_VIDEO, "play_set": [_play_set(720, status=2)]}, "/origin.mp4"),
    ],
)
def test_the_player_picks_hls_else_the_best_fitting_ready_play_set_else_the_original(
    server: Server,
    browser: object,
    scale: int,
    height_px: int,
    native_hls: bool,
    video: dict[str, Any],
    expected: str,
) -> None:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = browser.new_context(device_scale_factor=scale)
    try:
        page = context.new_page()
        page.goto(f"{server.base_url}/watch/no-such-video")  # a page of the service's origin, to import the module
        chosen = _choose(page, video, native_hls=native_hls, height_px=height_px)
    finally:
        context.close()
    assert chosen == {"src": expected, "poster": "/cover.jpg"}


REFRESHES = """async ([stale, fresh]) => {
  const { startPlayer } = await import('/static/player.js');
  const element = document.createElement('video');
  element.muted = true;
  document.body.appendChild(element);
  let refreshes = 0;
  startPlayer(element, stale, { refresh: async () => { refreshes += 1; return fresh; } });
  const deadline = Date.now() + 20000;
  const until = async (done, what) => {
    while (!done()) {
      if (Date.now() > deadline) {
        throw new Error(what + ' timed out; error ' + (element.error && element.error.message));
      }
      await new Promise(ok => setTimeout(ok, 50));
    }
  };
  await until(() => element.getAttribute('src') === fresh.hls_url, 'the fresh URL');
  await element.play();
  await until(() => element.currentTime >= 0.5, 'playing');
  return {refreshes, currentTime: element.currentTime};
}"""


def test_the_player_fetches_new_urls_when_the_signed_ones_are_refused(
    server: Server, video_id: str, stranger: tuple[Any, list[str]]
) -> None:
    """As when the page was open longer than VOD_URL_TTL: the playlist is refused (403), the player refreshes."""
    share(server, video_id, 2)
    with server.client(key=None) as anonymous:
        fresh = anonymous.get("/video/api/get_shared_video", params={"id": video_id}).json()["video"]
    stale = {**fresh, "hls_url": fresh["hls_url"].replace("signature=", "signature=0")}
    with server.client(key=None) as anonymous:
        assert anonymous.get(stale["hls_url"]).status_code == 403
    context, _ = stranger
    page = context.new_page()
    page.goto(f"{server.base_url}/watch/no-such-video")  # a page of the service's origin, to import the module
    result = page.evaluate(REFRESHES, [stale, fresh])
    assert result["refreshes"] == 1 and result["currentTime"] >= 0.5


def test_a_throttled_password_guess_is_shown_in_the_services_words(
    server: Server, video_id: str, stranger: tuple[Any, list[str]]
) -> None:
    """The 429 is the service's own answer (``vod_error_response``), served in place of a real lock-out.

    A real one needs several wrong guesses within a second of each other:
    timing this shared machine cannot promise.
    """
    from entrypoints.http.errors import vod_error_response
    from vod_core.errors import TooManyGuesses

    throttled = vod_error_response(TooManyGuesses(8))
    assert throttled.status == 429 and throttled.body is not None
    share(server, video_id, 1, "s3cret")
    context, _ = stranger
    page = context.new_page()
    page.route(
        "**/video/api/get_shared_video?*",
        lambda route: route.fulfill(status=429, content_type="application/json", body=throttled.body),
    )
    page.goto(f"{server.base_url}/watch/{video_id}")
    page.get_by_label("Password").fill("s3cret")
    page.get_by_role("button", name="Watch").click()
    page.locator("#watch-password-error").filter(has_text="try again in 8 s").wait_for()
    assert page.get_by_label("Password").is_visible() and not page.locator("video").is_visible()
