"""The job queue on a Redis stream: ``RedisJobQueue`` enqueues, ``RedisJobConsumer`` runs jobs.

The stream entry is the job's claim ticket, the database the job's record:
an entry is acknowledged only after the handler (``Processing.handle``)
returned, by which time it has added its follow-up jobs, so a worker that
dies mid-job leaves the entry pending and another worker takes it over
(``XAUTOCLAIM``) once it has been idle for ``min_idle_ms``; each take-over
counts as an attempt, so a job that keeps killing workers is eventually
given up on.

A job whose handler raised waits for its retry (``JobRetryPolicy``) in the
sorted set ``<prefix>jobs:delayed``, scored by when it is due, with its
counters in its fields: one transaction adds it there and acknowledges and
deletes its entry, so it is always in exactly one of the two places. The
consumers move due jobs back into the stream (a Lua script, atomic too).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any, cast

from redis.asyncio import Redis

from adapters.metrics import job_running, jobs_enqueued
from adapters.redis.streams import Entry, StreamGroup, Timing, consumer_name
from adapters.system import SystemClock
from vod_core.job_retries import JobRetryPolicy, is_outage
from vod_core.ports.clock import Clock
from vod_core.ports.jobs import Job, JobHandler, JobKind, JobQueue

log = logging.getLogger(__name__)

GROUP = "workers"
PROMOTE_BATCH = 100
"""At most this many due jobs move back into the stream per consumer round."""

PROMOTE = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, member in ipairs(due) do
  local fields = {}
  for name, value in pairs(cjson.decode(member)) do
    table.insert(fields, name)
    table.insert(fields, value)
  end
  redis.call('XADD', KEYS[2], '*', unpack(fields))
  redis.call('ZREM', KEYS[1], member)
end
return #due
"""
"""Move the jobs of the delayed set (KEYS[1]) due by ARGV[1] into the stream (KEYS[2])."""


def encode_job(job: Job) -> dict[str, str]:
    """The entry's fields; the retry counters only when set (entries written before them decode too)."""
    fields = {"kind": job.kind.value, "video_id": job.video_id, "play_set_ids": ",".join(job.play_set_ids)}
    if job.attempt != 1:
        fields["attempt"] = str(job.attempt)
    if job.outages:
        fields["outages"] = str(job.outages)
    if job.outage_since is not None:
        fields["outage_since"] = job.outage_since.isoformat()
    return fields


def decode_job(fields: dict[str, str], redeliveries: int = 0) -> Job:
    """The job of an entry that was taken over ``redeliveries`` times; KeyError or ValueError when not a job."""
    ids = tuple(i for i in fields["play_set_ids"].split(",") if i)
    since = fields.get("outage_since")
    return Job(
        JobKind(fields["kind"]),
        fields["video_id"],
        ids,
        int(fields.get("attempt", "1")) + redeliveries,
        int(fields.get("outages", "0")),
        datetime.fromisoformat(since) if since else None,
    )


class RedisJobQueue(JobQueue):
    """Jobs on the stream ``<prefix>jobs``; ``client`` is the process's one client (strings decoded)."""

    def __init__(self, client: Redis, prefix: str = "vod:", *, page: int = 1000) -> None:
        self.client = client
        self.stream = f"{prefix}jobs"
        self.delayed = f"{prefix}jobs:delayed"
        """The sorted set of jobs waiting for a retry, scored by when they are due (UNIX seconds)."""
        self._page = page
        self._promote = client.register_script(PROMOTE)

    async def enqueue(self, job: Job) -> None:
        await self.client.xadd(self.stream, encode_job(job))  # type: ignore[arg-type]
        jobs_enqueued([job])

    async def retry_later(self, entry_id: str, job: Job, due: datetime) -> None:
        """Replace the entry ``entry_id`` by ``job``, due at ``due``, in one transaction."""
        member = json.dumps({**encode_job(job), "retry_of": entry_id}, sort_keys=True)
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.zadd(self.delayed, {member: due.timestamp()})
            pipe.xack(self.stream, GROUP, entry_id)
            pipe.xdel(self.stream, entry_id)
            await pipe.execute()
        jobs_enqueued([job])

    async def promote_due(self, now: datetime) -> int:
        """Move the jobs due by ``now`` back into the stream; returns how many."""
        moved = await self._promote(keys=[self.delayed, self.stream], args=[now.timestamp(), PROMOTE_BATCH])
        return int(moved)

    async def queued(self) -> list[Job]:
        """Every job in the stream (not read yet, or read and not acknowledged, maybe by a dead worker)
        and every job waiting for a retry."""
        jobs = await self._waiting()
        start = "-"
        while True:
            # The RESP2 shape (the client's default protocol), strings decoded.
            entries = cast(
                list[tuple[str, dict[str, str]]], await self.client.xrange(self.stream, min=start, count=self._page)
            )
            for _, fields in entries:
                with contextlib.suppress(KeyError, ValueError):
                    jobs.append(decode_job(fields))
            if len(entries) < self._page:
                return jobs
            start = f"({entries[-1][0]}"

    async def _waiting(self) -> list[Job]:
        jobs: list[Job] = []
        for member in cast(list[str], await self.client.zrange(self.delayed, 0, -1)):
            with contextlib.suppress(KeyError, ValueError):
                jobs.append(decode_job(json.loads(member)))
        return jobs


class RedisJobConsumer:
    """Runs ``handler`` on jobs from the stream, ``concurrency`` at a time, until :meth:`stop`.

    An entry is acknowledged only after its handler returned. One whose
    handler raised is replaced by its retry (``retries``, due by ``clock``);
    one whose consumer died is taken over once idle and delivered again
    with a higher ``attempt``. Every round of a slot first moves the
    retries that are due back into the stream.
    """

    def __init__(
        self,
        queue: RedisJobQueue,
        handler: JobHandler,
        *,
        concurrency: int = 1,
        timing: Timing | None = None,
        consumer: str | None = None,
        retries: JobRetryPolicy | None = None,
        clock: Clock | None = None,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._queue = queue
        self._handler = handler
        self._concurrency = concurrency
        self._retries = retries or JobRetryPolicy()
        self._clock = clock or SystemClock()
        self._jitter = jitter
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
            await self._queue.promote_due(self._clock.now())
            for entry in await self.group.next(1):
                await self._run_entry(entry)

    async def _run_entry(self, entry: Entry) -> None:
        redeliveries = await self.group.delivery_count(entry.id) - 1 if entry.claimed else 0
        try:
            job = decode_job(entry.fields, redeliveries)
        except (KeyError, ValueError):
            log.error("dropping stream entry %s: not a job: %r", entry.id, entry.fields)
            await self.group.done([entry.id])
            return
        log.info("%s runs %s of video %s (attempt %d)", self.group.consumer, job.kind.value, job.video_id, job.attempt)
        finished = asyncio.Event()
        keep_alive = asyncio.create_task(self._keep_alive(entry.id, finished))
        try:
            result = await self._until_stopped(self._handle(job))
        finally:
            finished.set()
            await keep_alive
        if result is None:
            await self.group.done([entry.id])
        elif isinstance(result, Exception):
            await self._retry_later(entry.id, job, result)
        # else stopped: the entry stays pending and is taken over once idle

    async def _until_stopped(self, work: Coroutine[Any, Any, Exception | None]) -> BaseException | None:
        """Run ``work`` unless :meth:`stop` comes first (then cancel it).

        Returns what ``work`` returned (None when the job succeeded, else its
        error), or the ``CancelledError`` of a job cut short by the stop.
        """
        working = asyncio.create_task(work)
        stopping = asyncio.create_task(self._stopping.wait())
        await asyncio.wait({working, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not working.done():
            working.cancel()
        (result,) = await asyncio.gather(working, return_exceptions=True)
        return result

    async def _handle(self, job: Job) -> Exception | None:
        """Run the handler on ``job``; returns the error it raised, if any."""
        try:
            with job_running(job):
                await self._handler(job)
        except Exception as exc:
            return exc
        return None

    async def _retry_later(self, entry_id: str, job: Job, error: Exception) -> None:
        now = self._clock.now()
        retry = self._retries.after_failure(job, error, now, self._jitter())
        log.warning(
            "job %s of video %s: %s on attempt %d; retried in %.1f s",
            job.kind.value,
            job.video_id,
            "the store or database unavailable" if is_outage(error) else "failed",
            job.attempt,
            retry.delay.total_seconds(),
            exc_info=error,
        )
        try:
            await self._queue.retry_later(entry_id, retry.job, now + retry.delay)
        except Exception:
            log.exception("could not queue the retry of entry %s; it is taken over once idle", entry_id)

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
