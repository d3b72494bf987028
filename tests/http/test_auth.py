"""API keys: required on private endpoints, scoped to one user, not needed on public ones."""

from __future__ import annotations

import pytest

from tests.http.conftest import Service, local

PRIVATE = [
    ("GET", "/video/api/list"),
    ("GET", "/video/api/get"),
    ("POST", "/video/api/create"),
    ("POST", "/storage/api/upload"),
    ("GET", "/video/api/get_user_video_total_summary"),
    ("GET", "/notify/api/list_callbacks"),
    ("GET", "/video/api/list_trans_templates"),
]


@pytest.mark.parametrize(("method", "path"), PRIVATE)
@pytest.mark.parametrize("header", [None, "Bearer", "Bearer wrong-key", "Basic abc"])
async def test_private_endpoints_need_a_valid_bearer_key(
    service: Service, method: str, path: str, header: str | None
) -> None:
    api = service.api.as_user(None)
    headers = {"Authorization": header} if header else {}
    if method == "GET":
        response = await api.get(path, headers=headers)
    else:
        response = await api.post(path, {}, headers=headers)
    assert (response.status, response.json["errcode"]) == (401, 3108)
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_another_users_video_looks_exactly_like_a_missing_one(service: Service) -> None:
    video_id = await service.ready_video()
    bob = await service.new_user("bob")
    theirs = await bob.get("/video/api/get", id=video_id)
    missing = await bob.get("/video/api/get", id="nosuchvideo")
    assert (theirs.status, theirs.json["errcode"]) == (missing.status, missing.json["errcode"]) == (404, 3102)
    for path in ("/video/api/delete", "/video/api/update"):
        response = await bob.post(path, {"video_name": "x"}, params={"id": video_id})
        assert response.status == 404
    assert (await bob.get("/video/api/list")).json["count"] == 0
    assert (await service.api.get("/video/api/get", id=video_id)).status == 200


async def test_another_users_upload_cannot_become_their_video(service: Service) -> None:
    storage_id = await service.upload()
    bob = await service.new_user("bob")
    response = await bob.post("/video/api/create", {"storage_id": storage_id})
    assert (response.status, response.json["errcode"]) == (404, 3102)
    assert (await bob.get("/storage/api/get", id=storage_id)).status == 404


async def test_health_and_file_downloads_need_no_key(service: Service) -> None:
    video_id = await service.ready_video()
    origin = (await service.api.get("/video/api/get", id=video_id)).json["video"]["origin_url"]
    anonymous = service.api.as_user(None)
    assert (await anonymous.get("/health")).json == {"errcode": 1000, "msg": "OK", "status": "ok"}
    assert (await anonymous.get(local(origin))).status == 200
