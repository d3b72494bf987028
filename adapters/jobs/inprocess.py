"""Jobs run in the service's own process: the embedded default when there is no Redis.

The database is the persisted job record: every job's work is visible as
videos and play sets in a transient status, so ``start()`` re-creates the
jobs of whatever a previous process left unfinished instead of keeping a
job log of its own.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

from adapters.metrics import job_running, jobs_enqueued
from vod_core.ports.jobs import Job, JobQueue
from vod_core.services.processing import Processing

log = logging.getLogger(__name__)


class InProcessJobQueue(JobQueue):
    """At most ``concurrency`` jobs at a time; a job that raises is retried with ``attempt + 1``.

    ``Processing.handle`` gives up on a job past the attempt limit, so a
    failing job ends with its video or play sets failed, never in a loop.
    """

    def __init__(self, concurrency: int = 2) -> None:
        self._concurrency = concurrency
        self._queue: asyncio.Queue[Job] = asyncio.Queue()
        self._processing: Processing | None = None
        self._workers: list[asyncio.Task[None]] = []

    def bind(self, processing: Processing) -> None:
        self._processing = processing

    async def enqueue(self, job: Job) -> None:
        self._put(job)

    def _put(self, job: Job) -> None:
        self._queue.put_nowait(job)
        jobs_enqueued([job])

    async def start(self) -> None:
        """Recover unfinished work, then run jobs in the background."""
        if self._processing is None:
            raise RuntimeError("InProcessJobQueue.bind(processing) must be called before start()")
        # Jobs queued before start describe committed state, which recovery finds again:
        # dropping them avoids running the same transcode twice at once.
        while not self._queue.empty():
            self._queue.get_nowait()
            self._queue.task_done()
        recovered = await self._processing.recover_unfinished()
        if recovered:
            log.info("resuming %d unfinished jobs", len(recovered))
        for job in recovered:
            self._put(job)
        self._workers = [asyncio.create_task(self._work(self._processing)) for _ in range(self._concurrency)]

    async def stop(self) -> None:
        """Cancel running jobs; their work stays unfinished in the database and resumes on the next start."""
        for worker in self._workers:
            worker.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        self._workers = []

    async def wait_idle(self) -> None:
        """Return once every queued job, follow-ups and retries included, has finished."""
        await self._queue.join()

    async def _work(self, processing: Processing) -> None:
        while True:
            job = await self._queue.get()
            try:
                await self._run(processing, job)
            finally:
                self._queue.task_done()

    async def _run(self, processing: Processing, job: Job) -> None:
        try:
            with job_running(job):
                follow_ups = await processing.handle(job)
        except Exception:
            log.exception("job %s of video %s failed on attempt %d", job.kind.value, job.video_id, job.attempt)
            self._put(replace(job, attempt=job.attempt + 1))
            return
        for follow_up in follow_ups:
            self._put(follow_up)
