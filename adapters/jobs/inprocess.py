"""Jobs run in the service's own process: the embedded default when there is no Redis.

The database is the persisted job record: every job's work is visible as
videos and play sets in a transient status, so whoever starts the queue
first runs ``Processing.recover`` to re-create the jobs a previous process
left unfinished, instead of this queue keeping a job log of its own.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable

from adapters.metrics import job_running, jobs_enqueued
from adapters.system import SystemClock
from vod_core.job_retries import JobRetryPolicy, is_outage
from vod_core.ports.clock import Clock
from vod_core.ports.jobs import Job, JobHandler, JobQueue

log = logging.getLogger(__name__)


class InProcessJobQueue(JobQueue):
    """At most ``concurrency`` jobs at a time; a job that raises runs again as ``retries`` says.

    A job waiting for its retry holds no worker slot: a timer puts it back
    in the queue when its delay is over. The handler gives up on a job past
    the policy's limits, so a failing job ends with its video or play sets
    failed, never in a loop. Waiting jobs are not kept anywhere but here:
    after a stop their work is unfinished in the database, and the next
    start's recovery queues it again (with fresh counters).
    """

    def __init__(
        self,
        concurrency: int = 2,
        *,
        retries: JobRetryPolicy | None = None,
        clock: Clock | None = None,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._concurrency = concurrency
        self._retries = retries or JobRetryPolicy()
        self._clock = clock or SystemClock()
        self._jitter = jitter
        self._queue: asyncio.Queue[Job] = asyncio.Queue()
        self._not_started: list[Job] = []
        """The jobs in ``_queue``."""
        self._workers: list[asyncio.Task[None]] = []
        self._waiting: dict[asyncio.Task[None], Job] = {}
        """Retries waiting for their delay, by the task that sleeps it."""
        self._unfinished = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def enqueue(self, job: Job) -> None:
        self._unfinished += 1
        self._idle.clear()
        self._put(job)
        jobs_enqueued([job])

    def _put(self, job: Job) -> None:
        self._not_started.append(job)
        self._queue.put_nowait(job)

    async def queued(self) -> list[Job]:
        """Jobs not started yet, those waiting for a retry included (a running job's work is
        unfinished in the database)."""
        return [*self._not_started, *self._waiting.values()]

    def start(self, handler: JobHandler) -> None:
        """Run queued jobs, and every job enqueued later, in the background until :meth:`stop`."""
        self._workers = [asyncio.create_task(self._work(handler)) for _ in range(self._concurrency)]

    async def stop(self) -> None:
        """Cancel running jobs and waiting retries; their work stays unfinished in the database and
        resumes on the next start (its recovery re-creates them, as they are no longer queued)."""
        tasks = [*self._workers, *self._waiting]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._waiting.clear()
        self._workers = []
        self._unfinished = len(self._not_started)
        if not self._unfinished:
            self._idle.set()

    async def wait_idle(self) -> None:
        """Return once every job, follow-ups and retries included, has finished (or was given up)."""
        await self._idle.wait()

    async def _work(self, handler: JobHandler) -> None:
        while True:
            job = await self._queue.get()
            self._not_started.remove(job)
            try:
                with job_running(job):
                    await handler(job)
            except Exception as exc:
                self._retry_later(job, exc)
            else:
                self._finished()

    def _retry_later(self, job: Job, error: Exception) -> None:
        retry = self._retries.after_failure(job, error, self._clock.now(), self._jitter())
        kind = "the store or database unavailable" if is_outage(error) else "failed"
        log.warning(
            "job %s of video %s: %s on attempt %d; retried in %.1f s",
            job.kind.value,
            job.video_id,
            kind,
            job.attempt,
            retry.delay.total_seconds(),
            exc_info=error,
        )
        jobs_enqueued([retry.job])
        timer = asyncio.create_task(asyncio.sleep(retry.delay.total_seconds()))
        self._waiting[timer] = retry.job
        timer.add_done_callback(self._due)

    def _due(self, timer: asyncio.Task[None]) -> None:
        job = self._waiting.pop(timer, None)
        if job is not None and not timer.cancelled():
            self._put(job)

    def _finished(self) -> None:
        self._unfinished -= 1
        if self._unfinished == 0:
            self._idle.set()
