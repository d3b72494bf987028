"""Jobs run in the service's own process: the embedded default when there is no Redis.

The database is the persisted job record: every job's work is visible as
videos and play sets in a transient status, so whoever starts the queue
first runs ``Processing.recover`` to re-create the jobs a previous process
left unfinished, instead of this queue keeping a job log of its own.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

from adapters.metrics import job_running, jobs_enqueued
from vod_core.ports.jobs import Job, JobHandler, JobQueue

log = logging.getLogger(__name__)


class InProcessJobQueue(JobQueue):
    """At most ``concurrency`` jobs at a time; a job that raises is retried with ``attempt + 1``.

    The handler gives up on a job past the attempt limit, so a failing job
    ends with its video or play sets failed, never in a loop.
    """

    def __init__(self, concurrency: int = 2) -> None:
        self._concurrency = concurrency
        self._queue: asyncio.Queue[Job] = asyncio.Queue()
        self._not_started: list[Job] = []
        self._workers: list[asyncio.Task[None]] = []

    async def enqueue(self, job: Job) -> None:
        self._put(job)

    def _put(self, job: Job) -> None:
        self._not_started.append(job)
        self._queue.put_nowait(job)
        jobs_enqueued([job])

    async def queued(self) -> list[Job]:
        """Jobs not started yet (a running job's work is still unfinished in the database)."""
        return list(self._not_started)

    def start(self, handler: JobHandler) -> None:
        """Run queued jobs, and every job enqueued later, in the background until :meth:`stop`."""
        self._workers = [asyncio.create_task(self._work(handler)) for _ in range(self._concurrency)]

    async def stop(self) -> None:
        """Cancel running jobs; their work stays unfinished in the database and resumes on the next start."""
        for worker in self._workers:
            worker.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        self._workers = []

    async def wait_idle(self) -> None:
        """Return once every queued job, follow-ups and retries included, has finished."""
        await self._queue.join()

    async def _work(self, handler: JobHandler) -> None:
        while True:
            job = await self._queue.get()
            self._not_started.remove(job)
            try:
                with job_running(job):
                    await handler(job)
            except Exception:
                log.exception("job %s of video %s failed on attempt %d", job.kind.value, job.video_id, job.attempt)
                self._put(replace(job, attempt=job.attempt + 1))
            finally:
                self._queue.task_done()
