"""Sharing in its three states with passwords throttled per client; transcodes, templates and auto-transcode."""

from __future__ import annotations

from datetime import timedelta

from tests.http.conftest import Api, Service


async def share(service: Service, video_id: str, state: int, password: str = "") -> int:
    response = await service.api.post(
        "/video/api/set_video_password", {"shared_state": state, "password": password}, params={"id": video_id}
    )
    status: int = response.status
    return status


async def test_a_private_video_is_not_shared(service: Service) -> None:
    video_id = await service.ready_video()
    response = await service.api.as_user(None).get("/video/api/get_shared_video", id=video_id)
    assert (response.status, response.json["errcode"]) == (403, 3108)


async def test_a_public_video_is_shared_without_its_password(service: Service) -> None:
    video_id = await service.ready_video()
    assert await share(service, video_id, 2, "kept") == 200
    response = await service.api.as_user(None).get("/video/api/get_shared_video", id=video_id)
    assert response.status == 200
    assert response.json["video"]["id"] == video_id
    assert response.json["video"]["share_password"] == ""
    owner_view = await service.api.get("/video/api/get", id=video_id)
    assert owner_view.json["video"]["shared_state"] == 2 and owner_view.json["video"]["share_password"] == "kept"


async def test_a_password_video_needs_the_right_password(service: Service) -> None:
    video_id = await service.ready_video()
    assert await share(service, video_id, 1, "s3cret") == 200
    anonymous = service.api.as_user(None)
    wrong = await anonymous.get("/video/api/get_shared_video", id=video_id, password="nope")
    assert (wrong.status, wrong.json["errcode"]) == (403, 3108)
    right = await anonymous.get("/video/api/get_shared_video", id=video_id, password="s3cret")
    assert right.status == 200 and right.json["video"]["share_password"] == ""


def from_address(service: Service, address: str) -> Api:
    """An anonymous client that the service sees at ``address`` (as if behind a trusted proxy)."""
    service.api.client.sanic_app.config.REAL_IP_HEADER = "x-real-ip"
    return Api(service.api.client, None, {"X-Real-IP": address})


async def test_wrong_passwords_are_throttled_per_client_and_video(service: Service) -> None:
    video_id, other_id = await service.ready_video(), await service.ready_video()
    for vid in (video_id, other_id):
        assert await share(service, vid, 1, "s3cret") == 200
    attacker, viewer = from_address(service, "203.0.113.7"), from_address(service, "198.51.100.2")
    for _ in range(5):
        assert (await attacker.get("/video/api/get_shared_video", id=video_id, password="guess")).status == 403
    # Nobody else is locked out: the right password from another address, another video from the attacker's.
    assert (await viewer.get("/video/api/get_shared_video", id=video_id, password="s3cret")).status == 200
    assert (await attacker.get("/video/api/get_shared_video", id=other_id, password="s3cret")).status == 200
    blocked = await attacker.get("/video/api/get_shared_video", id=video_id, password="s3cret")
    assert (blocked.status, blocked.json["errcode"]) == (429, 3108)
    assert blocked.headers["retry-after"] == "1"
    assert "too many" in blocked.json["msg"]
    service.clock.advance(timedelta(seconds=1))
    assert (await attacker.get("/video/api/get_shared_video", id=video_id, password="s3cret")).status == 200


async def test_the_wait_doubles_with_each_further_wrong_password(service: Service) -> None:
    video_id = await service.ready_video()
    assert await share(service, video_id, 1, "s3cret") == 200
    attacker = from_address(service, "203.0.113.7")
    for _ in range(5):
        assert (await attacker.get("/video/api/get_shared_video", id=video_id, password="guess")).status == 403
    for wait in (1, 2, 4, 8):
        early = await attacker.get("/video/api/get_shared_video", id=video_id, password="guess")
        assert (early.status, early.headers["retry-after"]) == (429, str(wait))
        service.clock.advance(timedelta(seconds=wait))
        assert (await attacker.get("/video/api/get_shared_video", id=video_id, password="guess")).status == 403


async def test_share_settings_are_validated(service: Service) -> None:
    video_id = await service.ready_video()
    for body, field in (
        ({"shared_state": 3}, "shared_state"),
        ({"shared_state": 1}, "password"),
        ({"shared_state": 1, "password": "x" * 17}, "password"),
        ({"password": "x"}, "shared_state"),
    ):
        response = await service.api.post("/video/api/set_video_password", body, params={"id": video_id})
        assert (response.status, response.json["errcode"]) == (400, 3101), body
        assert response.json["msg"].startswith(field)


async def test_a_shared_missing_video_is_3102(service: Service) -> None:
    response = await service.api.as_user(None).get("/video/api/get_shared_video", id="nosuchvideo")
    assert (response.status, response.json["errcode"]) == (404, 3102)


async def test_trans_runs_once_per_template_unless_redo(service: Service) -> None:
    video_id = await service.ready_video()
    first = await service.api.post("/video/api/trans", {"task_config_temp_id": 3}, params={"id": video_id})
    assert first.status == 200
    again = await service.api.post("/video/api/trans", {"task_config_temp_id": 3}, params={"id": video_id})
    assert (again.status, again.json["errcode"]) == (409, 3105)
    await service.process()
    (old,) = (await service.api.get("/video/api/get", id=video_id)).json["video"]["play_set"]
    redo = await service.api.post("/video/api/trans", {"task_config_temp_id": 3, "redo": True}, params={"id": video_id})
    assert redo.status == 200 and redo.json["play_set_id"] != old["play_set_id"]
    (new,) = (await service.api.get("/video/api/get", id=video_id)).json["video"]["play_set"]
    assert new["play_set_id"] == redo.json["play_set_id"] and new["status"] == 0 and new["url"] == ""
    assert (await service.api.get(f"/files/{old['storage_id']}")).status == 404


async def test_an_unknown_template_is_3101(service: Service) -> None:
    video_id = await service.ready_video()
    response = await service.api.post("/video/api/trans", {"task_config_temp_id": 9}, params={"id": video_id})
    assert (response.status, response.json["errcode"]) == (400, 3101)
    assert response.json["msg"].startswith("task_config_temp_id")


async def test_templates_are_listed(service: Service) -> None:
    response = await service.api.get("/video/api/list_trans_templates")
    templates = response.json["templates"]
    assert [(t["task_config_temp_id"], t["resolution"]) for t in templates] == [
        (1, "360P"),
        (2, "480P"),
        (3, "720P"),
        (4, "1080P"),
        (5, "Origin"),
    ]


async def test_auto_transcode_configuration_applies_to_new_videos(service: Service) -> None:
    saved = await service.api.post("/video/api/save_trans_config", {"task_config_temp_ids": [2, 1, 2]})
    assert saved.json["task_config_temp_ids"] == [2, 1]
    assert (await service.api.get("/video/api/get_trans_config")).json["task_config_temp_ids"] == [2, 1]
    video_id = await service.ready_video()
    play_sets = (await service.api.get("/video/api/get", id=video_id)).json["video"]["play_set"]
    assert sorted(p["resolution"] for p in play_sets) == ["360P", "480P"]
    skipped = await service.ready_video(skip_auto_trans=True)
    assert (await service.api.get("/video/api/get", id=skipped)).json["video"]["play_set"] == []
    assert (await service.api.post("/video/api/delete_trans_config")).status == 200
    assert (await service.api.get("/video/api/get_trans_config")).json["task_config_temp_ids"] == []


async def test_trans_config_must_be_a_list_of_known_templates(service: Service) -> None:
    for body in ({"task_config_temp_ids": [1, True]}, {"task_config_temp_ids": 1}, {}, {"task_config_temp_ids": [7]}):
        response = await service.api.post("/video/api/save_trans_config", body)
        assert (response.status, response.json["errcode"]) == (400, 3101), body
        assert response.json["msg"].startswith("task_config_temp_ids")


async def test_callbacks_are_set_listed_with_the_secret_and_deleted(service: Service) -> None:
    response = await service.api.post(
        "/notify/api/set_callback", {"event": "video", "url": "https://hooks.example.com/video"}
    )
    assert response.status == 200
    callbacks = (await service.api.get("/notify/api/list_callbacks")).json["callbacks"]
    assert [(c["event"], c["url"]) for c in callbacks] == [("video", "https://hooks.example.com/video")]
    assert len(callbacks[0]["secret"]) >= 20
    assert (await service.api.post("/notify/api/delete_callback", {"event": "video"})).status == 200
    assert (await service.api.get("/notify/api/list_callbacks")).json["callbacks"] == []


async def test_bad_callbacks_are_3101(service: Service) -> None:
    for body, field in (
        ({"event": "other", "url": "https://example.com"}, "event"),
        ({"event": "video", "url": "http://127.0.0.1/hook"}, "url"),
        ({"event": "video"}, "url"),
    ):
        response = await service.api.post("/notify/api/set_callback", body)
        assert (response.status, response.json["errcode"]) == (400, 3101), body
        assert response.json["msg"].startswith(field)
