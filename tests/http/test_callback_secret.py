"""Rotating the callback signing secret (POST /notify/api/rotate_callback_secret)."""

from __future__ import annotations

from tests.http.conftest import Api, Service

HOOK = "https://hooks.example.com/vod"


async def secret_of(api: Api) -> str:
    callbacks = (await api.get("/notify/api/list_callbacks")).json["callbacks"]
    secrets = {c["secret"] for c in callbacks}
    assert len(secrets) == 1, callbacks
    return secrets.pop()


async def test_rotation_returns_a_new_secret_that_the_callbacks_then_carry(service: Service) -> None:
    bob = await service.new_user("bob")
    for api in (service.api, bob):
        assert (await api.post("/notify/api/set_callback", {"event": "video", "url": HOOK})).status == 200
    before, bobs = await secret_of(service.api), await secret_of(bob)
    rotated = await service.api.post("/notify/api/rotate_callback_secret")
    assert rotated.status == 200 and rotated.json["errcode"] == 1000
    assert rotated.json["secret"] not in (before, "")
    assert await secret_of(service.api) == rotated.json["secret"]
    assert await secret_of(bob) == bobs


async def test_rotation_needs_a_key(service: Service) -> None:
    response = await service.api.as_user(None).post("/notify/api/rotate_callback_secret")
    assert (response.status, response.json["errcode"]) == (401, 3108)
