"""Queue and webhook throughput: the Redis job adapter next to raw stream commands, and webhook deliveries.

    .venv/bin/python -m bench.queue [--redis redis://127.0.0.1:6379/0] [--jobs 5000] [--events 2000]

Prints one line per figure. Keys live under a random prefix and are deleted
afterwards, so it is safe on a shared Redis. Run it as a module: as a
script, ``bench/`` would come first on ``sys.path`` and this file would
shadow the standard library's ``queue``.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import cast

from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer
from redis.asyncio import Redis

from adapters.notify.webhooks import AiohttpWebhookSender
from adapters.redis.jobs import RedisJobConsumer, RedisJobQueue
from adapters.redis.streams import Reply, Timing
from entrypoints.bootstrap import bootstrap
from entrypoints.config import Config
from vod_core import Vod
from vod_core.events import PLAY_SET_READY, OutboxEvent
from vod_core.ports.jobs import Job, JobKind
from vod_core.services.notifications import Notifications
from vod_core.settings import EventCategory, UserSettings

PIPELINE = 500
READ_COUNT = 100


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f}/s ({count} in {seconds:.2f} s)"


async def raw_streams(client: Redis, prefix: str, count: int) -> None:
    """The ``redis-benchmark``-style baseline: pipelined XADD, then XREADGROUP COUNT 100 + XACK."""
    stream = f"{prefix}raw"
    await client.xgroup_create(stream, "g", id="0", mkstream=True)
    started = time.perf_counter()
    for n in range(0, count, PIPELINE):
        async with client.pipeline(transaction=False) as pipe:
            for _ in range(min(PIPELINE, count - n)):
                pipe.xadd(stream, {"kind": "transcode", "video_id": "v", "play_set_ids": "p"})
            await pipe.execute()
    print(f"raw XADD, pipelines of {PIPELINE}:            {rate(count, time.perf_counter() - started)}")
    started = time.perf_counter()
    for _ in range(count):
        await client.xadd(stream, {"kind": "transcode", "video_id": "v", "play_set_ids": "p"})
    print(f"raw XADD, one at a time:                 {rate(count, time.perf_counter() - started)}")
    started, done = time.perf_counter(), 0
    while done < 2 * count:
        reply = cast(Reply, await client.xreadgroup("g", "c", {stream: ">"}, count=READ_COUNT, block=1000))
        ids = [entry_id for _, entries in reply for entry_id, _ in entries]
        await client.xack(stream, "g", *ids)
        done += len(ids)
    print(f"raw XREADGROUP COUNT {READ_COUNT} + XACK:        {rate(done, time.perf_counter() - started)}")


class NoOpHandler:
    """A job handler that counts jobs and does nothing else: measures the queue alone."""

    def __init__(self, expected: int) -> None:
        self.handled = 0
        self.expected = expected
        self.all_done = asyncio.Event()

    async def __call__(self, job: Job) -> None:
        self.handled += 1
        if self.handled == self.expected:
            self.all_done.set()


async def adapter_jobs(client: Redis, prefix: str, count: int, concurrency: int) -> None:
    """End to end through ``RedisJobQueue`` and ``RedisJobConsumer``: enqueue, read, handle, ack."""
    queue = RedisJobQueue(client, prefix=f"{prefix}c{concurrency}:")
    processing = NoOpHandler(count)
    jobs = [Job(JobKind.TRANSCODE, f"v{n}", ("p",)) for n in range(count)]
    started = time.perf_counter()
    for job in jobs:
        await queue.enqueue(job)
    print(f"adapter enqueue, one at a time:          {rate(count, time.perf_counter() - started)}")
    consumer = RedisJobConsumer(queue, processing, concurrency=concurrency, timing=Timing(block_ms=100))
    started = time.perf_counter()
    task = asyncio.create_task(consumer.run())
    await processing.all_done.wait()
    elapsed = time.perf_counter() - started
    consumer.stop()
    await task
    print(f"adapter no-op jobs, {concurrency} slot(s):           {rate(count, elapsed)}")


@asynccontextmanager
async def receiver() -> AsyncIterator[str]:
    async def ok(request: web.Request) -> web.Response:
        await request.read()
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", ok)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("/hook"))
    finally:
        await server.close()


async def seed_outbox(vod: Vod, url: str, count: int) -> None:
    now = datetime.now(UTC)
    async with vod.ctx.uow() as uow:
        await uow.settings.save(UserSettings("u", "secret", callbacks={EventCategory.TRANSCODING: url}))
        for n in range(count):
            payload = {"event_type": PLAY_SET_READY, "video_id": f"v{n}", "play_set_id": f"p{n}", "url": "x" * 80}
            await uow.outbox.add(OutboxEvent(f"e{n}", "u", PLAY_SET_READY, payload, now, now))
        await uow.commit()


async def webhooks(count: int) -> None:
    """Deliveries from the in-memory outbox to a loopback receiver, next to bare aiohttp POSTs."""
    async with receiver() as url:
        async with ClientSession() as session:
            started = time.perf_counter()
            for start in range(0, count, 100):

                async def post(session: ClientSession = session) -> None:
                    async with session.post(url, data=b"{}") as response:
                        await response.read()

                await asyncio.gather(*(post() for _ in range(min(100, count - start))))
            print(f"bare aiohttp POSTs, 100 at a time:       {rate(count, time.perf_counter() - started)}")
        vod = bootstrap(Config.in_memory()).vod
        await seed_outbox(vod, url, count)
        sender = AiohttpWebhookSender(allow_private=True)
        notifications = Notifications(vod.ctx, sender, batch_size=100)
        started, delivered = time.perf_counter(), 0
        while delivered < count:
            delivered += await notifications.deliver_due()
        print(f"webhook deliveries (signed, outbox):     {rate(delivered, time.perf_counter() - started)}")
        await sender.close()


async def main(args: argparse.Namespace) -> None:
    prefix = f"vodbench:{secrets.token_hex(4)}:"
    client = Redis.from_url(args.redis, decode_responses=True)
    try:
        await raw_streams(client, prefix, args.jobs)
        for concurrency in (1, 8):
            await adapter_jobs(client, prefix, args.jobs, concurrency)
    finally:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()
    await webhooks(args.events)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--jobs", type=int, default=10000)
    parser.add_argument("--events", type=int, default=2000)
    asyncio.run(main(parser.parse_args()))
