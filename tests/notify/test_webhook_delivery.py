"""Webhooks over real HTTP: a receiver refusing for a while, a restart with undelivered events, SSRF."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from adapters.memory.database import MemoryDatabase
from adapters.memory.storage import MemoryStorage
from adapters.notify.webhooks import AiohttpWebhookSender
from entrypoints.background import BackgroundServices
from entrypoints.bootstrap import Runtime
from tests.jobs.helpers import eventually, memory_runtime, new_video, user_with_auto_transcode
from tests.notify.receiver import Receiver, running_receiver
from vod_core import Vod
from vod_core.ports.webhooks import WebhookFailed
from vod_core.services.notifications import RetryPolicy

FAST = RetryPolicy(first_delay=timedelta(milliseconds=50), max_delay=timedelta(milliseconds=200))


def background(runtime: Runtime) -> BackgroundServices:
    return runtime.background(retry_policy=FAST, dispatch_interval_s=0.05)


async def subscribe(vod: Vod, receiver: Receiver) -> tuple[str, str]:
    """A user whose videos auto-transcode and whose both callbacks point at ``receiver``; returns (id, secret)."""
    user = await user_with_auto_transcode(vod)
    await vod.preferences.set_callback(user, "video", receiver.url)
    await vod.preferences.set_callback(user, "transcoding", receiver.url)
    return user, (await vod.preferences.get_settings(user)).webhook_secret


async def test_a_refusing_receiver_gets_every_event_once_with_a_stable_delivery_id() -> None:
    async with running_receiver(refuse_first=5) as receiver:
        runtime = memory_runtime()
        vod = runtime.vod
        user, secret = await subscribe(vod, receiver)
        services = background(runtime)
        await services.start()
        for _ in range(2):
            await new_video(vod, user)

        async def four_accepted() -> bool:
            return len(receiver.accepted()) == 4  # 2 × video_ready + 2 × video_play_set_ready

        await eventually(four_accepted, what="4 events accepted")
        await services.stop()
        assert await services.notifications.deliver_due() == 0  # nothing left, nothing re-sent

    assert sum(r.answered == 503 for r in receiver.requests) == 5
    assert set(receiver.accepted().values()) == {1}
    assert sorted(r.event for r in receiver.requests if r.answered == 200) == [
        "video_play_set_ready",
        "video_play_set_ready",
        "video_ready",
        "video_ready",
    ]
    for delivery in receiver.accepted():
        tries = receiver.tries(delivery)
        assert len({t.event for t in tries}) == 1
        assert all(t.signed_with(secret) for t in tries)
    assert any(len(receiver.tries(d)) > 1 for d in receiver.accepted())


async def test_undelivered_events_are_delivered_after_a_restart() -> None:
    db, storage = MemoryDatabase(), MemoryStorage()
    async with running_receiver() as receiver:
        receiver.accepting = False
        first_runtime = memory_runtime(db, storage)
        first = first_runtime.vod
        user, secret = await subscribe(first, receiver)
        services = background(first_runtime)
        await services.start()
        await new_video(first, user, skip_auto_trans=True)

        async def refused_twice() -> bool:
            return len(receiver.requests) >= 2

        await eventually(refused_twice)
        await services.stop()
        receiver.accepting = True

        second_runtime = memory_runtime(db, storage)
        second = second_runtime.vod
        restarted = background(second_runtime)
        await restarted.start()

        async def accepted() -> bool:
            return len(receiver.accepted()) == 1

        await eventually(accepted)
        await restarted.stop()

    (delivery,) = receiver.accepted()
    assert {r.delivery for r in receiver.requests} == {delivery}
    assert all(r.signed_with(secret) for r in receiver.requests)
    async with second.ctx.uow() as uow:
        assert await uow.outbox.due(second.ctx.clock.now() + timedelta(days=2), 10) == []
        assert await uow.outbox.dead(user) == []


async def test_the_sender_refuses_loopback_unless_allowed() -> None:
    async with running_receiver() as receiver:
        strict = AiohttpWebhookSender(allow_private=False)
        by_name = receiver.url.replace("127.0.0.1", "localhost")
        try:
            for url in (receiver.url, by_name, by_name.replace("localhost", "localhost.")):
                with pytest.raises(WebhookFailed):
                    await strict.post(url, b"{}", {"X-VOD-Delivery": "d", "X-VOD-Event": "e", "X-VOD-Signature": "s"})
        finally:
            await strict.close()
        assert receiver.requests == []

        relaxed = AiohttpWebhookSender(allow_private=True)
        try:
            headers = {"X-VOD-Delivery": "d", "X-VOD-Event": "e", "X-VOD-Signature": "t=1,v1=0"}
            assert await relaxed.post(receiver.url, b"{}", headers) == 200
        finally:
            await relaxed.close()


async def test_a_receiver_that_does_not_answer_in_time_is_a_failure() -> None:
    never = asyncio.Event()

    async def hang(request: web.Request) -> web.Response:
        await never.wait()
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hang)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    sender = AiohttpWebhookSender(timeout_s=0.2, allow_private=True)
    try:
        with pytest.raises(WebhookFailed):
            await sender.post(str(server.make_url("/hook")), b"{}", {})
    finally:
        never.set()
        await sender.close()
        await server.close()
