"""The job queue on a Redis stream: ``RedisJobQueue`` enqueues, ``RedisJobConsumer`` runs jobs.

The stream entry is the job's claim ticket, the database the job's record:
an entry is acknowledged only after the handler (``Processing.handle``)
returned, by which time it has added its follow-up jobs, so a worker that dies mid-job leaves the entry
pending and another worker takes it over (``XAUTOCLAIM``) once it has been
idle for ``min_idle_ms``. Its delivery count becomes ``Job.attempt``, so a
job that keeps killing workers or raising is eventually given up on and its
play sets fail with the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import Any, cast

from redis.asyncio import Redis

from adapters.metrics import job_running, jobs_enqueued
from adapters.redis.streams import Entry, StreamGroup, Timing, consumer_name
from vod_core.ports.jobs import Job, JobHandler, JobKind, JobQueue

log = logging.getLogger(__name__)

GROUP = "workers"


def encode_job(job: Job) -> dict[str, str]:
    return {"kind": job.kind.value, "video_id": job.video_id, "play_set_ids": ",".join(job.play_set_ids)}


def decode_job(fields: dict[str, str], attempt: int) -> Job:
    """Raises KeyError or ValueError for an entry that is not a job."""
    ids = tuple(i for i in fields["play_set_ids"].split(",") if i)
    return Job(JobKind(fields["kind"]), fields["video_id"], ids, attempt)


class RedisJobQueue(JobQueue):
    """Jobs on the stream ``<prefix>jobs``; ``client`` is the process's one client (strings decoded)."""

    def __init__(self, client: Redis, prefix: str = "vod:", *, page: int = 1000) -> None:
        self.client = client
        self.stream = f"{prefix}jobs"
        self._page = page

    async def enqueue(self, job: Job) -> None:
        await self.client.xadd(self.stream, encode_job(job))  # type: ignore[arg-type]
        jobs_enqueued([job])

    async def queued(self) -> list[Job]:
        """Every job in the stream: not read yet, or read and not acknowledged (maybe a dead worker's)."""
        jobs: list[Job] = []
        start = "-"
        while True:
            # The RESP2 shape (the client's default protocol), strings decoded.
            entries = cast(
                list[tuple[str, dict[str, str]]], await self.client.xrange(self.stream, min=start, count=self._page)
            )
            for _, fields in entries:
                with contextlib.suppress(KeyError, ValueError):
                    jobs.append(decode_job(fields, 1))
            if len(entries) < self._page:
                return jobs
            start = f"({entries[-1][0]}"


class RedisJobConsumer:
    """Runs ``handler`` on jobs from the stream, ``concurrency`` at a time, until :meth:`stop`.

    An entry is acknowledged only after its handler returned; one whose
    handler raised (or whose consumer died) is taken over once idle and
    delivered again with a higher ``attempt``.
    """

    def __init__(
        self,
        queue: RedisJobQueue,
        handler: JobHandler,
        *,
        concurrency: int = 1,
        timing: Timing | None = None,
        consumer: str | None = None,
    ) -> None:
        self._handler = handler
        self._concurrency = concurrency
        self._stopping = asyncio.Event()
        self.group = StreamGroup(queue.client, queue.stream, GROUP, consumer or consumer_name(), timing or Timing())

    async def run(self) -> None:
        """Run jobs until :meth:`stop`; returns within ``block_ms`` of it.

        Stopping is cooperative rather than by cancelling this task: a
        redis-py command cancelled mid-read can leave its connection (and
        the cancellation) in an undefined state.
        """
        await self.group.ensure()
        log.info("job consumer %s reads %s", self.group.consumer, self.group.stream)
        try:
            await asyncio.gather(*(self._slot() for _ in range(self._concurrency)))
        finally:
            await self._retire()

    def stop(self) -> None:
        """Take no new entries and abandon running jobs (they stay pending and are taken over)."""
        self._stopping.set()

    async def _retire(self) -> None:
        try:
            await self.group.retire()
        except Exception:
            log.exception("could not remove consumer %s from the group", self.group.consumer)

    async def _slot(self) -> None:
        while not self._stopping.is_set():
            for entry in await self.group.next(1):
                await self._run_entry(entry)

    async def _run_entry(self, entry: Entry) -> None:
        attempt = await self.group.delivery_count(entry.id) if entry.claimed else 1
        try:
            job = decode_job(entry.fields, attempt)
        except (KeyError, ValueError):
            log.error("dropping stream entry %s: not a job: %r", entry.id, entry.fields)
            await self.group.done([entry.id])
            return
        log.info("%s runs %s of video %s (attempt %d)", self.group.consumer, job.kind.value, job.video_id, attempt)
        finished = asyncio.Event()
        keep_alive = asyncio.create_task(self._keep_alive(entry.id, finished))
        try:
            succeeded = await self._until_stopped(self._handle(job))
        finally:
            finished.set()
            await keep_alive
        if succeeded:
            await self.group.done([entry.id])

    async def _until_stopped(self, work: Coroutine[Any, Any, bool]) -> bool:
        """Run ``work`` unless :meth:`stop` comes first (then cancel it); False when it did not succeed."""
        working = asyncio.create_task(work)
        stopping = asyncio.create_task(self._stopping.wait())
        await asyncio.wait({working, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not working.done():
            working.cancel()
        results = await asyncio.gather(working, return_exceptions=True)
        return results[0] is True

    async def _handle(self, job: Job) -> bool:
        try:
            with job_running(job):
                await self._handler(job)
        except Exception:
            log.exception(
                "job %s of video %s failed on attempt %d; retried once idle for %d ms",
                job.kind.value,
                job.video_id,
                job.attempt,
                self.group.timing.min_idle_ms,
            )
            return False
        return True

    async def _keep_alive(self, entry_id: str, finished: asyncio.Event) -> None:
        """Touch the entry well within ``min_idle_ms`` so a long transcode is not taken over.

        Ends when ``finished`` is set rather than by cancellation, for the
        reason given in :meth:`run`: a failed job's entry must go idle.
        """
        interval_s = self.group.timing.min_idle_ms / 3000
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(finished.wait(), interval_s)
                return
            try:
                await self.group.touch(entry_id)
            except Exception:
                log.exception("could not refresh stream entry %s", entry_id)
