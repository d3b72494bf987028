"""The whole flow of a client of the original service, against a real ``vod serve`` process.

Real database (SQLite), real media (PyAV), real HTTP: upload → create →
ready → get/list/search → rename/cover → share → transcode → play set
ready → traffic → delete / batch delete.
"""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Server, wait_for
from tests.support.contract_fields import VIDEO_FIELDS

pytestmark = pytest.mark.slow

OK = {"errcode": 1000, "msg": "OK"}


def ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["errcode"] == 1000 and body["msg"] == "OK", body
    return body


def error(response: httpx.Response, status: int, code: int) -> str:
    assert (response.status_code, response.json()["errcode"]) == (status, code), response.text
    message: str = response.json()["msg"]
    return message


def upload(api: httpx.Client, data: bytes, name: str) -> str:
    body = ok(api.post("/storage/api/upload", files={"file": (name, data)}))
    assert (body["filename"], body["file_size"]) == (name, len(data))
    storage_id: str = body["storage_id"]
    return storage_id


def video(api: httpx.Client, video_id: str) -> dict[str, Any]:
    found: dict[str, Any] = ok(api.get("/video/api/get", params={"id": video_id}))["video"]
    return found


def wait_until_ready(api: httpx.Client, video_id: str) -> dict[str, Any]:
    def ready() -> dict[str, Any] | None:
        current = video(api, video_id)
        assert current["status"] in (0, 1, 2), current
        return current if current["status"] == 1 else None

    return wait_for(f"video {video_id} to become ready", ready)


def test_a_client_walks_the_whole_flow(server: Server, clip: Path) -> None:
    api, anonymous = server.client(), server.client(key=None)
    data = clip.read_bytes()

    # upload → create → ready
    storage_id = upload(api, data, "holiday.mp4")
    created = ok(
        api.post("/video/api/create", json={"storage_id": storage_id, "source_type": "upload", "source_id": "42"})
    )
    video_id = created["id"]
    assert list(created) == ["errcode", "msg", "id"]
    first = video(api, video_id)
    assert first["status"] in (0, 1, 2)
    ready = wait_until_ready(api, video_id)
    assert list(ready) == VIDEO_FIELDS
    origin_path, _, grant = ready["origin_url"].partition("?")
    assert origin_path == f"{server.base_url}/files/{storage_id}"
    assert grant.startswith("expires=") and "&signature=" in grant  # signed (API.md C1)
    assert ready["thumb_url"].startswith(f"{server.base_url}/files/")
    assert httpx.get(origin_path).status_code == 403  # a private video's media need the signature
    assert (ready["video_width"], ready["video_height"]) == (320, 180)
    assert 1900 <= ready["video_duration"] <= 2100
    assert ready["file_size"] == len(data)
    assert (ready["video_name"], ready["source_type"], ready["source_id"]) == ("holiday.mp4", "upload", "42")
    assert ready["created_at"].endswith("+08:00") and ready["play_set"] == []
    error(api.post("/video/api/create", json={"storage_id": storage_id}), 409, 3106)

    # get / list / search
    listed = ok(api.get("/video/api/list"))
    assert listed["count"] == 1 and listed["videos"][0]["id"] == video_id
    assert ok(api.get("/video/api/search", params={"search": "HOLI"}))["count"] == 1
    assert ok(api.get("/video/api/search", params={"search": video_id}))["videos"][0]["id"] == video_id
    assert ok(api.get("/video/api/search", params={"source_type": "other"}))["count"] == 0

    # rename and new cover; the old cover is deleted
    old_cover = ready["thumb_url"]
    cover_bytes = httpx.get(old_cover).content
    assert cover_bytes.startswith(b"\xff\xd8")
    cover_id = upload(api, cover_bytes, "cover.jpg")
    assert (
        ok(
            api.post(
                "/video/api/update",
                params={"id": video_id},
                json={"video_name": "Summer", "thumb_storage_id": cover_id},
            )
        )
        == OK
    )
    renamed = video(api, video_id)
    assert renamed["video_name"] == "Summer"
    assert renamed["thumb_url"].partition("?")[0] == f"{server.base_url}/files/{cover_id}"
    assert httpx.get(old_cover).status_code == 404

    # sharing in all three states
    shared = {"id": video_id}
    error(anonymous.get("/video/api/get_shared_video", params=shared), 403, 3108)
    ok(api.post("/video/api/set_video_password", params=shared, json={"shared_state": 2}))
    public = ok(anonymous.get("/video/api/get_shared_video", params=shared))["video"]
    assert public["id"] == video_id and public["share_password"] == ""
    ok(api.post("/video/api/set_video_password", params=shared, json={"shared_state": 1, "password": "pw1"}))
    error(anonymous.get("/video/api/get_shared_video", params={**shared, "password": "bad"}), 403, 3108)
    assert (
        ok(anonymous.get("/video/api/get_shared_video", params={**shared, "password": "pw1"}))["video"]["id"]
        == video_id
    )
    assert video(api, video_id)["share_password"] == "pw1"

    # transcode → play set ready
    trans = ok(api.post("/video/api/trans", params=shared, json={"task_config_temp_id": 1}))
    error(api.post("/video/api/trans", params=shared, json={"task_config_temp_id": 1}), 409, 3105)

    def play_set_ready() -> dict[str, Any] | None:
        (play_set,) = video(api, video_id)["play_set"]
        assert play_set["status"] not in (4, 6, 7), play_set
        return play_set if play_set["status"] == 1 else None

    play_set = wait_for("the 360P play set", play_set_ready, 120)
    assert play_set["play_set_id"] == trans["play_set_id"]
    assert (play_set["resolution"], play_set["trans_progress"]) == ("360P", 1.0)
    assert (play_set["video_width"], play_set["video_height"]) == (320, 180)  # never upscaled
    rendition = httpx.get(play_set["url"])
    assert rendition.status_code == 200 and rendition.headers["content-type"] == "video/mp4"
    assert len(rendition.content) == play_set["file_size"] > 0

    # traffic: every byte served counts for the video
    since = int(time.time()) - 60
    origin = httpx.get(ready["origin_url"], headers={"Range": "bytes=0-99"})
    assert origin.status_code == 206 and origin.content == data[:100]
    assert httpx.head(ready["origin_url"]).headers["content-length"] == str(len(data))
    expected = len(cover_bytes) + len(rendition.content) + 100  # old cover before deletion, rendition, range

    def counted() -> int | None:
        total: int = ok(api.get("/video/api/get_user_video_total_summary"))["user_video_total_summary"]["total_bytes"]
        return total if total >= expected else None

    assert wait_for("traffic to be counted", counted) == expected
    minutes = ok(
        api.get("/video/api/list_video_statistic", params={"id": video_id, "start": since, "end": since + 600})
    )
    assert sum(m["bytes"] for m in minutes["video_statistic"]) == expected
    totals = ok(api.get("/video/api/list_video_total_summary"))
    assert totals["video_total_summary_list"][0]["video_id"] == video_id
    export = api.get("/video/api/export_video_total_summary")
    rows = list(csv.reader(io.StringIO(export.text)))
    assert rows[0] == ["video_id", "video_name", "video_created_at", "total_bytes"]
    assert rows[1][0] == video_id and rows[1][3] == str(expected)

    # delete and batch delete
    ok(api.post("/video/api/delete", params={"id": video_id}))
    error(api.get("/video/api/get", params={"id": video_id}), 404, 3102)
    assert httpx.get(ready["origin_url"]).status_code == 404
    assert httpx.get(play_set["url"]).status_code == 404
    others = [
        ok(api.post("/video/api/create", json={"storage_id": upload(api, data, f"n{n}.mp4")}))["id"] for n in range(2)
    ]
    assert "nosuchvideo" in error(
        api.post("/video/api/delete_videos", params={"ids": f"{others[0]},nosuchvideo"}), 404, 3102
    )
    assert ok(api.get("/video/api/list"))["count"] == 2
    ok(api.post("/video/api/delete_videos", params={"ids": ",".join(others)}))
    assert ok(api.get("/video/api/list"))["count"] == 0
    assert ok(api.get("/video/api/get_video_size_sum"))["size_sum"] == 0


def test_an_oversized_json_body_is_refused(server: Server) -> None:
    response = server.client().post("/video/api/create", content=b"x" * (2 * 1024 * 1024))
    error(response, 413, 3101)


def test_docs_are_served(server: Server) -> None:
    document = httpx.get(f"{server.base_url}/docs/openapi.json").json()
    assert "/video/api/create" in document["paths"]
    assert httpx.get(f"{server.base_url}/docs").status_code == 200
