"""The console in Debian's Chromium against a real ``vod serve``: sign in, upload, ready, play, share, CSRF, sign out.

A person signs in with the API key, uploads a real 2 s clip through the
upload page's ``<input type=file>`` (resumable through tus: the first
``PATCH`` is cut off and the upload resumes), watches the video page until the
video is ready, plays it in the page's ``<video>`` (the shared player) and
makes it public. A form on another site posting to the API and to sign-out,
and a same-origin ``fetch`` without the CSRF token, change nothing. Every
request the browser makes is recorded; one to any host but loopback fails
the test.
"""

from __future__ import annotations

import contextlib
import functools
import re
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.conftest import API_KEY, Server, wait_for
from tests.support.browser import LOOPBACK_HOSTS, PLAYS, headless_chromium

pytestmark = pytest.mark.slow

POST_WITHOUT_TOKEN = """async (id) => {
  const response = await fetch('/video/api/delete?id=' + id, {method: 'POST'});
  return {status: response.status, body: await response.json()};
}"""
BARS_DRAWN = """() => {
  const heights = (id) => Array.from(document.querySelectorAll(id + ' rect.bar'), r => +r.getAttribute('height'));
  const tallest = (id) => Math.max(0, ...heights(id));
  return {day: tallest('#day-chart') > 0, minute: tallest('#minute-chart') > 0};
}"""
FOREIGN_FORMS = """<!doctype html><title>another site</title>
<form id="delete" method="post" action="{base}/video/api/delete?id={video_id}"><button>delete</button></form>
<form id="sign-out" method="post" action="{base}/console/sign_out"><button>sign out</button></form>"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from headless_chromium()


@pytest.fixture
def foreign_site(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A static site at http://localhost:<port> (another site than the service's 127.0.0.1): its directory and URL."""

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(tmp_path)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://localhost:{httpd.server_address[1]}"
    httpd.shutdown()
    thread.join()


def sign_in(page: Any, server: Server) -> None:
    """Sign in on the console's form with the API key, as a person would; returns on the library page."""
    page.goto(f"{server.base_url}/console")
    page.get_by_label("API key").fill(API_KEY)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("#search")


def upload_ended(page: Any, server: Server) -> None:
    """Wait until the upload page's item says the video was made; else fail with what it and the server said."""
    status = page.locator("#uploads .status")
    with contextlib.suppress(PlaywrightTimeout):  # what the page says then is the message
        status.filter(has_text=re.compile("uploaded|failed")).wait_for(timeout=120000)
    said = " ".join(status.all_inner_texts())  # no waiting: none at all is an answer too
    if "uploaded" not in said:
        requests = [line for line in server.log_path.read_text().splitlines() if "/storage/api/tus" in line]
        pytest.fail(f"the upload says {said!r}; the service's tus requests:\n" + "\n".join(requests[-20:]))


def stored_video(server: Server, video_id: str) -> dict[str, Any]:
    with server.client() as api:
        found: dict[str, Any] = api.get("/video/api/get", params={"id": video_id}).json()
        return found


def test_sign_in_upload_play_share_and_csrf(
    server: Server, browser: Any, clip: Path, foreign_site: tuple[Path, str]
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    hosts: list[str] = []
    context.on("request", lambda request: hosts.append(urlsplit(request.url).hostname or request.url))
    page = context.new_page()
    page.set_default_timeout(60000)

    sign_in(page, server)
    (cookie,) = [c for c in context.cookies() if c["name"] == "vod_console"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["value"] != API_KEY
    assert page.evaluate("document.cookie") == ""
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    assert API_KEY not in page.content()

    patches: list[str] = []

    def cut_the_first_patch(route: Any) -> None:
        if route.request.method != "PATCH":
            route.continue_()
            return
        patches.append(route.request.url)
        if len(patches) == 1:
            route.abort("connectionreset")  # the network fails mid-upload: tus-js-client must resume
        else:
            route.continue_()

    page.route("**/storage/api/tus/*", cut_the_first_patch)
    page.get_by_role("link", name="Upload", exact=True).click()
    page.set_input_files("#files", str(clip))
    upload_ended(page, server)
    page.get_by_role("link", name="uploaded: open the video").click()
    page.wait_for_selector("#details .badge-video-1", timeout=120000)
    video_id = page.get_attribute("#video-page", "data-video-id")
    assert video_id
    assert len(patches) >= 2 and len(set(patches)) == 1, patches  # one tus upload, resumed after the cut
    page.unroute("**/storage/api/tus/*")
    played = page.eval_on_selector("#player", PLAYS)
    assert played["currentTime"] >= 0.5

    page.select_option("#shared-state", "2")
    page.get_by_role("button", name="Save sharing").click()
    page.wait_for_selector("#error[hidden]", state="attached")
    assert stored_video(server, video_id)["video"]["shared_state"] == 2

    refused = page.evaluate(POST_WITHOUT_TOKEN, video_id)
    assert refused["status"] == 403 and refused["body"]["errcode"] == 3108
    site_dir, site_url = foreign_site
    (site_dir / "forms.html").write_text(FOREIGN_FORMS.format(base=server.base_url, video_id=video_id))
    for form in ("delete", "sign-out"):
        page.goto(f"{site_url}/forms.html")
        with page.expect_navigation():
            page.click(f"#{form} button")
        assert page.evaluate("document.body.innerText").count("3108") == 1
    assert stored_video(server, video_id)["video"]["status"] == 1
    page.goto(f"{server.base_url}/console")
    page.wait_for_selector(f'tr[data-video-id="{video_id}"]')  # still signed in, the video still there

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_selector("#api_key")
    assert page.evaluate("fetch('/video/api/list').then(r => r.status)") == 401
    context.close()
    assert hosts and set(hosts) <= LOOPBACK_HOSTS, sorted(set(hosts) - LOOPBACK_HOSTS)


def test_a_file_chosen_before_the_upload_script_ran_is_uploaded(server: Server, browser: Any, clip: Path) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(60000)
    sign_in(page, server)

    held: list[Any] = []
    page.route("**/static/console/upload.js", lambda route: held.append(route))  # held until a file is chosen
    page.goto(f"{server.base_url}/console/upload", wait_until="commit")
    page.set_input_files("#files", str(clip))
    page.wait_for_function("document.getElementById('files').files.length === 1")
    while not held:  # Playwright hands the held request over while it waits on the page
        page.wait_for_timeout(20)
    held[0].continue_()
    upload_ended(page, server)
    context.close()


def ready_video(server: Server, clip: Path) -> str:
    with server.client() as api:
        stored = api.post("/storage/api/upload", files={"file": ("walk.mp4", clip.read_bytes())}).json()
        created = api.post("/video/api/create", json={"storage_id": stored["storage_id"]}).json()
        video_id: str = created["id"]
    wait_for("the video to be ready", lambda: True if stored_video(server, video_id)["video"]["status"] == 1 else None)
    return video_id


PHONE = {"width": 390, "height": 844}


def fits_the_phone(page: Any) -> bool:
    """Nothing wider than the phone's screen (a mobile browser would widen its layout viewport, not scroll)."""
    return bool(page.evaluate(f"document.documentElement.scrollWidth <= {PHONE['width']}"))


def test_settings_transcode_traffic_rename_and_delete_by_keyboard_on_a_phone(
    server: Server, browser: Any, clip: Path
) -> None:
    video_id = ready_video(server, clip)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    hosts: list[str] = []
    context.on("request", lambda request: hosts.append(urlsplit(request.url).hostname or request.url))
    page = context.new_page()
    page.set_default_timeout(60000)
    page.on("dialog", lambda dialog: dialog.accept())

    page.goto(f"{server.base_url}/console")
    # The key field takes the focus by itself (autofocus), but only once Chromium next renders the
    # page, which can be after the load event: keys typed before then would go nowhere.
    page.wait_for_selector("input[name=api_key]:focus")
    page.keyboard.type(API_KEY)
    page.keyboard.press("Enter")
    page.wait_for_selector(f'tr[data-video-id="{video_id}"]')
    assert fits_the_phone(page)

    page.goto(f"{server.base_url}/console/settings")
    page.get_by_label("360P").check()
    page.get_by_role("button", name="Save templates").click()
    page.wait_for_selector("#error[hidden]", state="attached")
    page.reload()
    page.wait_for_selector("#templates input:checked")
    assert page.get_by_label("360P").is_checked() and fits_the_phone(page)
    with server.client() as api:
        assert api.get("/video/api/get_trans_config").json()["task_config_temp_ids"] == [1]

    page.goto(f"{server.base_url}/console/videos/{video_id}")
    page.wait_for_selector("#details .badge-video-1")
    page.evaluate("window.sameDocument = true")
    page.select_option("#shared-state", "1")
    page.get_by_role("button", name="Save sharing").click()  # a password state without a password
    page.wait_for_selector("#error:not([hidden])")
    assert "password" in page.inner_text("#error")  # the API's msg, in words
    page.select_option("#template", "1")
    page.get_by_role("button", name="Start transcode").click()
    page.wait_for_selector("#play-sets .badge-play-set-1", timeout=180000)  # progress shown live, no reload
    assert page.evaluate("window.sameDocument") is True
    assert page.eval_on_selector("#player", PLAYS)["currentTime"] >= 0.5  # traffic for the charts below
    page.fill("#video-name", "a walk")
    page.get_by_role("button", name="Rename").click()
    page.wait_for_selector("#title:text-is('a walk')")
    assert fits_the_phone(page)

    def charted() -> bool | None:
        """Today's bar (in the service's zone) and a minute's bar are drawn, once the traffic is counted."""
        page.goto(f"{server.base_url}/console/traffic?video={video_id}")
        page.wait_for_selector("#minute-chart svg, #minute-chart p")
        drawn = page.evaluate(BARS_DRAWN)
        return True if drawn["day"] and drawn["minute"] else None

    wait_for("the traffic charts", charted, 60)
    page.wait_for_selector(f'#totals a[href$="{video_id}"]')
    assert fits_the_phone(page)

    page.goto(f"{server.base_url}/console/videos/{video_id}")
    page.wait_for_selector("#details .badge-video-1")
    page.get_by_role("button", name="Delete this video").click()  # the confirmation is accepted
    page.wait_for_url(f"{server.base_url}/console")
    assert stored_video(server, video_id)["errcode"] == 3102
    context.close()
    assert hosts and set(hosts) <= LOOPBACK_HOSTS, sorted(set(hosts) - LOOPBACK_HOSTS)
