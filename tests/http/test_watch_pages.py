"""The watch and embed pages over HTTP: what each state of a video shows, their headers, "not available" sameness.

The browser side (the pages playing in Chromium) is tests/e2e/test_watch_browser.py.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any

import pytest
from sanic_testing.testing import TestingResponse

from tests.http.conftest import Service

PAGES = ("/watch", "/embed")


class Tags(HTMLParser):
    """Every start tag of a page with its attributes, and the text of its ``<script>`` elements."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.script_text = ""
        self._in_script = False
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.script_text += data.strip()

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]

    def by_id(self, element_id: str) -> dict[str, str | None]:
        (found,) = [attrs for _, attrs in self.tags if attrs.get("id") == element_id]
        return found


async def share(service: Service, video_id: str, state: int, password: str = "") -> None:
    response = await service.api.post(
        "/video/api/set_video_password", {"shared_state": state, "password": password}, params={"id": video_id}
    )
    assert response.status == 200, response.text


async def open_page(service: Service, path: str) -> TestingResponse:
    return await service.api.as_user(None).get(path)


def directives(response: TestingResponse) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    return {d.split()[0]: " ".join(d.split()[1:]) for d in policy.split(";") if d.strip()}


def assert_no_inline_script(tags: Tags) -> None:
    assert tags.script_text == ""
    for script in tags.all("script"):
        assert script.get("src", "").startswith("/static/"), script  # type: ignore[union-attr]


async def test_a_public_videos_watch_page_has_its_title_poster_player_and_video(service: Service) -> None:
    video_id = await service.ready_video(name="Holiday <2026>.mp4")
    await share(service, video_id, 2, "kept")
    response = await open_page(service, f"/watch/{video_id}")
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/html")
    tags = Tags(response.text)
    (video_element,) = tags.all("video")
    assert "controls" in video_element
    carried: dict[str, Any] = json.loads(tags.by_id("watch")["data-video"] or "")
    owner_view = (await service.api.get("/video/api/get", id=video_id)).json["video"]
    assert carried["id"] == video_id and carried["video_name"] == owner_view["video_name"]
    assert carried["share_password"] == "" and "kept" not in response.text
    assert carried["thumb_url"] and video_element["poster"] == carried["thumb_url"]
    assert "<2026>" not in response.text  # the name is escaped
    title = tags.all("meta")
    assert {"property": "og:title", "content": owner_view["video_name"]} in title
    assert {"property": "og:image", "content": carried["thumb_url"]} in title
    assert_no_inline_script(tags)
    assert {"type": "module", "src": "/static/watch/watch.js"} in tags.all("script")


async def test_the_watch_page_may_not_be_framed_and_the_embed_page_may_be_framed_by_anyone(service: Service) -> None:
    video_id = await service.ready_video()
    await share(service, video_id, 2)
    watch, embed = await open_page(service, f"/watch/{video_id}"), await open_page(service, f"/embed/{video_id}")
    assert directives(watch)["frame-ancestors"] == "'none'" and watch.headers["x-frame-options"] == "DENY"
    assert directives(embed)["frame-ancestors"] == "*" and "x-frame-options" not in embed.headers
    for page in (watch, embed):
        policy = directives(page)
        assert policy["default-src"] == "'none'" and policy["script-src"] == "'self'"
        assert page.headers["cache-control"] == "no-store"


async def test_the_embed_page_is_only_the_player(service: Service) -> None:
    video_id = await service.ready_video()
    await share(service, video_id, 2)
    response = await open_page(service, f"/embed/{video_id}")
    tags = Tags(response.text)
    assert response.status == 200 and len(tags.all("video")) == 1
    assert tags.all("h1") == [] and tags.all("form") == []
    assert json.loads(tags.by_id("watch")["data-video"] or "")["id"] == video_id
    assert_no_inline_script(tags)


@pytest.mark.parametrize("page", PAGES)
async def test_a_password_video_asks_for_its_password_and_shows_nothing_else(service: Service, page: str) -> None:
    video_id = await service.ready_video(name="secret-plans.mp4")
    await share(service, video_id, 1, "s3cret")
    response = await open_page(service, f"{page}/{video_id}")
    assert response.status == 200
    tags = Tags(response.text)
    field = tags.by_id("watch-password-input")
    assert field["name"] == "password" and field["type"] == "password"
    assert {"for": "watch-password-input"} in tags.all("label")
    assert "data-video" not in tags.by_id("watch")
    assert "secret-plans" not in response.text and "signature=" not in response.text and "s3cret" not in response.text
    assert "hidden" in tags.by_id("watch-video")


async def test_opening_a_password_videos_page_counts_no_wrong_guess(service: Service) -> None:
    video_id = await service.ready_video()
    await share(service, video_id, 1, "s3cret")
    for _ in range(10):  # more than the free wrong guesses of one client
        assert (await open_page(service, f"/watch/{video_id}")).status == 200
    right = await service.api.as_user(None).get("/video/api/get_shared_video", id=video_id, password="s3cret")
    assert right.status == 200, right.text


@pytest.mark.parametrize("page", PAGES)
async def test_private_missing_deleted_and_malformed_ids_get_one_not_available_page(
    service: Service, page: str
) -> None:
    private_id, deleted_id = await service.ready_video(), await service.ready_video()
    await share(service, deleted_id, 2)
    assert (await service.api.post("/video/api/delete", params={"id": deleted_id})).status == 200
    ids = [private_id, deleted_id, "0" * len(private_id), "x" * 500, "a/b", "%3Cscript%3E", "%20"]
    responses = [await open_page(service, f"{page}/{video_id}") for video_id in ids]
    first = responses[0]
    assert first.status == 404 and "not available" in first.text
    for video_id, response in zip(ids, responses, strict=True):
        assert (response.status, response.text) == (first.status, first.text), video_id
        assert directives(response) == directives(first)
    assert private_id not in first.text and "<video" not in first.text and "<script" not in first.text


async def test_the_player_module_is_served_as_javascript(service: Service) -> None:
    for path in ("/static/player.js", "/static/watch/watch.js"):
        response = await open_page(service, path)
        assert response.status == 200
        assert response.headers["content-type"].split(";")[0] in ("text/javascript", "application/javascript")
    assert "export function startPlayer(videoElement, video" in (await open_page(service, "/static/player.js")).text
