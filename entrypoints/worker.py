"""``vod worker``: run jobs from the Redis stream until SIGTERM or SIGINT.

Start as many as there are machines (or cores) to spare; each process is
one consumer of the group. A worker that is killed leaves its job pending
and another worker takes it over once it has been idle for ``min_idle_ms``;
a job that failed waits for its retry in Redis, not in a worker.
"""

from __future__ import annotations

import asyncio
import logging
import signal

from adapters.redis.jobs import RedisJobConsumer, RedisJobQueue
from adapters.redis.streams import Timing
from vod_core import Vod

log = logging.getLogger(__name__)


def takeover_timing(takeover_s: int) -> Timing:
    """How a ``vod worker`` consumes: a silent consumer's job is taken over once idle ``takeover_s`` seconds.

    A running job is touched every third of that, so only a dead (or
    stalled) worker loses its job; idle jobs are looked for at least that
    often, so the takeover comes at most twice ``takeover_s`` after the
    worker went silent.
    """
    return Timing(min_idle_ms=takeover_s * 1000, claim_every_s=min(Timing.claim_every_s, float(takeover_s)))


async def run_worker(
    vod: Vod,
    job_queue: RedisJobQueue,
    *,
    concurrency: int = 1,
    timing: Timing | None = None,
    recover: bool = False,
    stop: asyncio.Event | None = None,
) -> None:
    """Consume jobs until ``stop`` is set, or until SIGTERM/SIGINT when no ``stop`` is given.

    ``recover`` first runs ``Processing.recover``: it enqueues a job for
    unfinished work in the database that no job in the stream covers — for
    a start after every process was down, when an enqueue may have been
    lost between its commit and the ``XADD``. Never use it while other
    workers or servers run: a job could run twice at once.
    """
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
    if recover:
        lost = await vod.processing.recover()
        log.info("recovery queued %d jobs whose enqueue was lost", len(lost))
    consumer = RedisJobConsumer(
        job_queue,
        vod.processing.handle,
        concurrency=concurrency,
        timing=timing,
        retries=vod.ctx.job_retries,
        clock=vod.ctx.clock,
    )
    consuming = asyncio.create_task(consumer.run(), name="job-consumer")
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({consuming, stopping}, return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    consumer.stop()
    await consuming  # re-raises what made the consumer fail, if it did
