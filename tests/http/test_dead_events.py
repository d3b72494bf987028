"""``GET /notify/api/list_dead_events``: the caller's webhook events given up on, newest first."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from tests.http.conftest import Service
from vod_core.events import VIDEO_READY, DeliveryState
from vod_core.services.notifications import Notifications

HOOK = "https://hooks.example.com/vod"


class Refusing:
    """A receiver that always answers 503."""

    def __init__(self) -> None:
        self.deliveries: list[str] = []

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        self.deliveries.append(headers["X-VOD-Delivery"])
        return 503


async def test_an_event_refused_for_a_day_is_listed_dead_for_its_owner_only(service: Service) -> None:
    bob = await service.new_user("bob")
    assert (await service.api.post("/notify/api/set_callback", {"event": "video", "url": HOOK})).status == 200
    assert (await bob.post("/notify/api/set_callback", {"event": "video", "url": HOOK})).status == 200
    video_id = await service.ready_video(name="dead.mp4")
    await service.ready_video(bob, name="bobs.mp4")
    receiver = Refusing()
    notifications = Notifications(service.vod.ctx, receiver)

    assert await notifications.deliver_due() == 2
    assert (await service.api.get("/notify/api/list_dead_events")).json["events"] == []
    service.clock.advance(timedelta(hours=25))
    assert await notifications.deliver_due() == 2  # the second refusal, a day later: given up

    response = await service.api.get("/notify/api/list_dead_events")
    assert response.status == 200, response.text
    body = response.json
    assert (body["errcode"], body["msg"]) == (1000, "OK")
    (event,) = body["events"]
    assert list(event) == ["delivery_id", "event_type", "created_at", "attempts", "last_error", "payload"]
    assert event["event_type"] == VIDEO_READY
    assert event["attempts"] == 2 and event["last_error"] == "HTTP 503"
    assert event["created_at"].endswith("+08:00")
    assert event["payload"]["video_id"] == video_id and event["payload"]["event_type"] == VIDEO_READY
    alice = await service.vod.users.authenticate(service.api.key or "")
    async with service.vod.ctx.uow() as uow:
        (stored,) = await uow.outbox.dead(alice.id)
    assert stored.state == DeliveryState.DEAD and event["delivery_id"] == stored.id
    assert receiver.deliveries.count(stored.id) == 2  # the same delivery id on both tries

    (bobs,) = (await bob.get("/notify/api/list_dead_events")).json["events"]
    assert bobs["delivery_id"] != stored.id and bobs["payload"]["video_name"] == "bobs.mp4"


async def test_dead_events_are_newest_first(service: Service) -> None:
    await service.api.post("/notify/api/set_callback", {"event": "video", "url": HOOK})
    first = await service.ready_video(name="first.mp4")
    service.clock.advance(timedelta(minutes=1))
    second = await service.ready_video(name="second.mp4")
    notifications = Notifications(service.vod.ctx, Refusing())
    await notifications.deliver_due()
    service.clock.advance(timedelta(hours=25))
    await notifications.deliver_due()
    events = (await service.api.get("/notify/api/list_dead_events")).json["events"]
    assert [e["payload"]["video_id"] for e in events] == [second, first]


async def test_listing_needs_a_key_and_is_documented(service: Service) -> None:
    response = await service.api.as_user(None).get("/notify/api/list_dead_events")
    assert (response.status, response.json["errcode"]) == (401, 3108)
    document = (await service.api.get("/docs/openapi.json")).json
    operation = document["paths"]["/notify/api/list_dead_events"]["get"]
    assert operation["security"] == [{"bearer": []}] and {"200", "401", "500"} <= set(operation["responses"])
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    reference = schema["properties"]["events"]["items"]["$ref"]
    item = document["components"]["schemas"][reference.rsplit("/", 1)[-1]]
    assert item["required"] == ["delivery_id", "event_type", "created_at", "attempts", "last_error", "payload"]
