"""Outbox delivery rules with a scripted sender: signing, headers, backoff, giving up, skipping."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from adapters.memory import MemoryJobQueue
from tests.jobs.helpers import fresh_memory_vod, new_video
from tests.support.clock import SteppingClock
from vod_core import Vod
from vod_core.events import DeliveryState, OutboxEvent
from vod_core.ports.webhooks import WebhookFailed, WebhookSender
from vod_core.services.notifications import Notifications, RetryPolicy, signature

URL = "https://hooks.example.com/vod"


@dataclass
class Sent:
    url: str
    body: bytes
    headers: dict[str, str]


@dataclass
class ScriptedSender(WebhookSender):
    """Answers with ``statuses`` in turn (the last one repeats); ``None`` means no answer."""

    statuses: list[int | None] = field(default_factory=lambda: [200])
    sent: list[Sent] = field(default_factory=list)

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        self.sent.append(Sent(url, body, dict(headers)))
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        if status is None:
            raise WebhookFailed("timed out")
        return status


@dataclass
class World:
    vod: Vod
    jobs: MemoryJobQueue
    clock: SteppingClock
    user: str


@pytest.fixture
async def world() -> World:
    clock = SteppingClock()
    jobs = MemoryJobQueue()
    vod = fresh_memory_vod(jobs, clock=clock)
    user, _ = await vod.users.create_user("alice")
    return World(vod, jobs, clock, user.id)


async def video_ready_event(world: World) -> None:
    await new_video(world.vod, world.user)
    await world.jobs.drain(world.vod.processing.handle)


async def outbox(world: World) -> list[OutboxEvent]:
    async with world.vod.ctx.uow() as uow:
        return await uow.outbox.due(world.clock.current + timedelta(days=400), 100) + await uow.outbox.dead(world.user)


def verify(secret: str, sent: Sent) -> bool:
    fields = dict(part.split("=", 1) for part in sent.headers["X-VOD-Signature"].split(","))
    expected = hmac.new(secret.encode(), f"{fields['t']}.".encode() + sent.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])


async def test_a_due_event_is_posted_signed_with_the_users_secret_and_delivered_once(world: World) -> None:
    await world.vod.preferences.set_callback(world.user, "video", URL)
    await video_ready_event(world)
    sender = ScriptedSender()
    notifications = Notifications(world.vod.ctx, sender)

    assert await notifications.deliver_due() == 1
    assert await notifications.deliver_due() == 0

    (sent,) = sender.sent
    secret = (await world.vod.preferences.get_settings(world.user)).webhook_secret
    assert sent.url == URL
    assert sent.headers["X-VOD-Event"] == "video_ready"
    assert sent.headers["Content-Type"] == "application/json"
    assert verify(secret, sent)
    assert not verify(secret + "x", sent)
    assert b'"event_type":"video_ready"' in sent.body


async def test_failures_back_off_exponentially_with_the_same_delivery_id_and_die_after_24_hours(
    world: World,
) -> None:
    await world.vod.preferences.set_callback(world.user, "video", URL)
    await video_ready_event(world)
    sender = ScriptedSender(statuses=[503, None, 500])
    policy = RetryPolicy(first_delay=timedelta(seconds=10), max_delay=timedelta(hours=1))
    notifications = Notifications(world.vod.ctx, sender, policy=policy, jitter=lambda: 0.999)
    (event,) = await outbox(world)

    waits = []
    while (await outbox(world))[0].state == DeliveryState.PENDING:
        (pending,) = await outbox(world)
        waits.append(pending.next_attempt_at - world.clock.current)
        world.clock.current = max(world.clock.current, pending.next_attempt_at)
        assert await notifications.deliver_due() == 1

    (dead,) = await world.vod.dead_events.of_user(world.user)
    assert dead.id == event.id and dead.state == DeliveryState.DEAD
    assert dead.last_error == "HTTP 500"
    assert {s.headers["X-VOD-Delivery"] for s in sender.sent} == {event.id}
    assert world.clock.current - event.created_at >= timedelta(hours=24)
    assert dead.attempts == len(sender.sent) > 20
    retry_waits = [w.total_seconds() for w in waits[1:]]
    assert retry_waits[:4] == pytest.approx([10, 20, 40, 80], rel=0.01)
    assert max(retry_waits) == pytest.approx(3600, rel=0.01)


async def test_jitter_spreads_retries_between_half_and_all_of_the_backoff() -> None:
    policy = RetryPolicy(first_delay=timedelta(seconds=8))
    assert policy.delay(1, 0.0) == timedelta(seconds=4)
    assert policy.delay(3, 0.5) == timedelta(seconds=24)
    assert policy.delay(100, 0.0) == policy.max_delay / 2


async def test_an_event_without_a_callback_url_is_skipped_not_sent(world: World) -> None:
    await video_ready_event(world)
    sender = ScriptedSender()
    notifications = Notifications(world.vod.ctx, sender)

    assert await notifications.deliver_due() == 1
    assert sender.sent == []
    async with world.vod.ctx.uow() as uow:
        assert await uow.outbox.due(world.clock.current + timedelta(days=2), 10) == []


async def test_the_signature_covers_timestamp_and_body() -> None:
    value = signature("s3cret", 1700000000, b'{"a":1}')
    expected = hmac.new(b"s3cret", b'1700000000.{"a":1}', hashlib.sha256).hexdigest()
    assert value == f"t=1700000000,v1={expected}"
