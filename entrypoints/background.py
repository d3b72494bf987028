"""Background work of ``vod serve``: in-process jobs, webhook delivery, the traffic feed.

``vod serve`` starts one of these after building the ``Vod`` and stops it
on shutdown. With Redis, jobs run in ``vod worker`` processes instead, the
traffic stream is consumed here (one consumer per serving process), and
webhook rounds take a Redis lease so that several serving processes never
send the same event at the same time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis

from adapters.jobs.inprocess import InProcessJobQueue
from adapters.jobs.periodic import PeriodicRunner
from adapters.jobs.traffic_feed import InProcessTrafficFeed
from adapters.metrics import MeteredWebhookSender
from adapters.notify.webhooks import AiohttpWebhookSender
from adapters.redis.lease import RedisLease
from adapters.redis.traffic_feed import RedisTrafficConsumer
from vod_core import Vod
from vod_core.ports.jobs import JobQueue
from vod_core.services.notifications import Notifications, RetryPolicy

log = logging.getLogger(__name__)

RESTART_DELAY_S = 1.0


async def supervise(name: str, run: Callable[[], Awaitable[None]], stopping: asyncio.Event) -> None:
    """Keep a consumer loop running until ``stopping``: log and restart it when it fails (e.g. Redis restarted)."""
    while not stopping.is_set():
        try:
            await run()
        except Exception:
            log.exception("%s failed; restarting in %.0f s", name, RESTART_DELAY_S)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), RESTART_DELAY_S)


class BackgroundServices:
    def __init__(
        self,
        vod: Vod,
        *,
        job_queue: JobQueue,
        redis_url: str | None = None,
        redis_prefix: str = "vod:",
        allow_private_callbacks: bool = False,
        retry_policy: RetryPolicy | None = None,
        dispatch_interval_s: float = 1.0,
        webhook_timeout_s: float = 10.0,
    ) -> None:
        self.vod = vod
        self.job_queue = job_queue
        self.traffic_feed = InProcessTrafficFeed(vod.traffic.ingest)
        """Where in-process producers ``submit`` traffic records."""
        self.sender = AiohttpWebhookSender(timeout_s=webhook_timeout_s, allow_private=allow_private_callbacks)
        self.retry_policy = retry_policy or RetryPolicy()
        self.notifications = Notifications(vod.ctx, MeteredWebhookSender(self.sender), policy=self.retry_policy)
        self.dispatcher = PeriodicRunner("webhook-dispatcher", self._dispatch_round, interval_s=dispatch_interval_s)
        self._redis_url = redis_url
        self._redis_prefix = redis_prefix
        self._redis: Redis | None = None
        self._lease: RedisLease | None = None
        self._traffic_consumer: RedisTrafficConsumer | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = asyncio.Event()

    async def start(self) -> None:
        if isinstance(self.job_queue, InProcessJobQueue):
            self.job_queue.bind(self.vod.processing)
            await self.job_queue.start()
        self.traffic_feed.start()
        if self._redis_url:
            self._redis = Redis.from_url(self._redis_url, decode_responses=True)
            lease_ms = int(self.retry_policy.lease.total_seconds() * 1000)
            self._lease = RedisLease(self._redis, f"{self._redis_prefix}outbox:lease", lease_ms)
            consumer = RedisTrafficConsumer(self._redis_url, self.vod.traffic.ingest, prefix=self._redis_prefix)
            self._traffic_consumer = consumer
            self._stopping.clear()
            self._tasks.append(asyncio.create_task(supervise("traffic stream consumer", consumer.run, self._stopping)))
        self.dispatcher.start()

    async def stop(self) -> None:
        """Stop everything; undelivered events and unfinished jobs stay in the database for the next start."""
        await self.dispatcher.stop()
        self._stopping.set()
        if self._traffic_consumer is not None:
            self._traffic_consumer.stop()
        await asyncio.gather(*self._tasks)
        self._tasks = []
        await self.traffic_feed.stop()
        if isinstance(self.job_queue, InProcessJobQueue):
            await self.job_queue.stop()
        await self.sender.close()
        if self._traffic_consumer is not None:
            await self._traffic_consumer.close()
        if self._redis is not None:
            await self._redis.aclose()

    async def _dispatch_round(self) -> int:
        if self._lease is None:
            return await self.notifications.deliver_due()
        if not await self._lease.acquire():
            return 0
        try:
            return await self.notifications.deliver_due()
        finally:
            await self._lease.release()
