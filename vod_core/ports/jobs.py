from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class JobKind(StrEnum):
    PROCESS_VIDEO = "process_video"
    TRANSCODE = "transcode"
    DOWNLOAD_SOURCE = "download_source"
    """Fetch a video's original from its ``source_url``, then process it as ``PROCESS_VIDEO`` does."""


@dataclass(frozen=True)
class Job:
    """Background work. Jobs are idempotent: running one twice is harmless.

    The retry counters travel with the job (:class:`vod_core.job_retries.JobRetryPolicy`
    sets them): ``attempt`` is 1 plus the runs that failed for a reason of
    their own (or died with their worker), so that real failures are given
    up after N attempts; runs that failed because the store or database was
    unavailable count apart, in ``outages`` (the current streak, for the
    backoff) since ``outage_since`` (when that streak began, for its bound).
    """

    kind: JobKind
    video_id: str
    play_set_ids: tuple[str, ...] = field(default=())
    attempt: int = 1
    outages: int = 0
    outage_since: datetime | None = None


JobHandler = Callable[[Job], Awaitable[None]]
"""What a queue's consumer runs for each job (``Vod.processing.handle``).

A handler that raises leaves the job to be retried when and as
:meth:`vod_core.job_retries.JobRetryPolicy.after_failure` says; one that
returns has finished it (follow-up jobs it needs were enqueued
through the queue, like every other job)."""


class JobQueue(Protocol):
    async def enqueue(self, job: Job) -> None:
        """Hand ``job`` to a worker. Called only after the state it needs was committed."""
        ...

    async def queued(self) -> list[Job]:
        """Every job handed over and not finished yet, as far as the queue knows (for recovery)."""
        ...
