"""Background work of ``vod serve``: in-process jobs, webhook delivery, the traffic feed, expired uploads,
maintenance.

``vod serve`` starts one of these after building the ``Vod`` and stops it
on shutdown. With Redis, jobs run in ``vod worker`` processes instead, the
traffic stream is consumed here (one consumer per serving process), and
webhook rounds take a Redis lock (redis-py's ``Lock``) so that several
serving processes never send the same event at the same time. The sweep
of expired unlinked uploads runs in every serving process: each file is
deleted by exactly one of them (see ``Uploads.expire_unlinked``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta

from redis.asyncio.lock import Lock
from redis.exceptions import LockError

from adapters.jobs.inprocess import InProcessJobQueue
from adapters.jobs.periodic import PeriodicRunner
from adapters.jobs.traffic_feed import InProcessTrafficFeed
from adapters.notify.webhooks import AiohttpWebhookSender
from adapters.redis.traffic_feed import RedisTrafficConsumer
from vod_core import Vod
from vod_core.services.notifications import Notifications

log = logging.getLogger(__name__)

RESTART_DELAY_S = 1.0
MAINTENANCE_INTERVAL_S = 3600.0
"""How often stored objects without a row, old wrong-guess records and expired resumable uploads go (and at start)."""


def maintenance(vod: Vod, orphan_grace: timedelta, *, interval_s: float = MAINTENANCE_INTERVAL_S) -> PeriodicRunner:
    """Housekeeping of ``vod serve`` and ``vod worker``: a round at start, then one per ``interval_s``."""

    async def round_() -> int:
        await vod.orphans.collect(orphan_grace)
        await vod.sharing.forget_stale_guesses()
        await vod.resumable_uploads.expire()
        return 0  # one pass does all there is: wait for the next interval

    return PeriodicRunner("maintenance", round_, interval_s=interval_s)


@asynccontextmanager
async def maintaining(vod: Vod, orphan_grace: timedelta) -> AsyncIterator[PeriodicRunner]:
    """Run :func:`maintenance` while the block runs (``vod worker``)."""
    runner = maintenance(vod, orphan_grace)
    runner.start()
    try:
        yield runner
    finally:
        await runner.stop()


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
    """Built by ``Runtime.background()``; the optional parts exist only in the setups that need them."""

    def __init__(
        self,
        vod: Vod,
        notifications: Notifications,
        sender: AiohttpWebhookSender,
        *,
        traffic_feed: InProcessTrafficFeed,
        jobs: InProcessJobQueue | None = None,
        traffic_consumer: RedisTrafficConsumer | None = None,
        dispatch_lock: Lock | None = None,
        dispatch_interval_s: float = 1.0,
        orphan_grace: timedelta = timedelta(hours=1),
        sweep_interval_s: float = 60.0,
    ) -> None:
        self.vod = vod
        self.notifications = notifications
        self.traffic_feed = traffic_feed
        """Where in-process producers ``submit`` traffic records."""
        self._sender = sender
        self._jobs = jobs
        self._traffic_consumer = traffic_consumer
        self._dispatch_lock = dispatch_lock
        self.dispatcher = PeriodicRunner("webhook-dispatcher", self.dispatch_round, interval_s=dispatch_interval_s)
        self.maintenance = maintenance(vod, orphan_grace)
        self.unlinked_sweeper = PeriodicRunner(
            "unlinked-sweep", vod.uploads.expire_unlinked, interval_s=sweep_interval_s
        )
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = asyncio.Event()

    async def start(self) -> None:
        if self._jobs is not None:
            recovered = await self.vod.processing.recover()
            if recovered:
                log.info("resuming %d unfinished jobs", len(recovered))
            self._jobs.start(self.vod.processing.handle)
        self.traffic_feed.start()
        if self._traffic_consumer is not None:
            self._stopping.clear()
            run = self._traffic_consumer.run
            self._tasks.append(asyncio.create_task(supervise("traffic stream consumer", run, self._stopping)))
        self.dispatcher.start()
        self.maintenance.start()
        self.unlinked_sweeper.start()

    async def stop(self) -> None:
        """Stop everything; undelivered events and unfinished jobs stay in the database for the next start."""
        await self.dispatcher.stop()
        await self.maintenance.stop()
        await self.unlinked_sweeper.stop()
        self._stopping.set()
        if self._traffic_consumer is not None:
            self._traffic_consumer.stop()
        await asyncio.gather(*self._tasks)
        self._tasks = []
        await self.traffic_feed.stop()
        if self._jobs is not None:
            await self._jobs.stop()
        await self._sender.close()

    async def dispatch_round(self) -> int:
        """Deliver due webhook events; returns how many were tried.

        With Redis, a round runs only while holding a lock that no other
        process holds (it returns 0 at once otherwise).
        """
        if self._dispatch_lock is None:
            return await self.notifications.deliver_due()
        if not await self._dispatch_lock.acquire(blocking=False):
            return 0
        try:
            return await self.notifications.deliver_due()
        finally:
            try:
                await self._dispatch_lock.release()
            except LockError:  # expired (and maybe taken) meanwhile: nothing of ours to release
                log.warning("the webhook dispatch lock expired during a round")
