from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


class JobKind(StrEnum):
    PROCESS_VIDEO = "process_video"
    TRANSCODE = "transcode"


@dataclass(frozen=True)
class Job:
    """Background work. Jobs are idempotent: running one twice is harmless.

    ``attempt`` counts deliveries of this job (1 on the first run), so a
    queue that redelivers after a crash can give up after N attempts.
    """

    kind: JobKind
    video_id: str
    play_set_ids: tuple[str, ...] = field(default=())
    attempt: int = 1


class JobQueue(Protocol):
    async def enqueue(self, job: Job) -> None:
        """Hand ``job`` to a worker. Called only after the state it needs was committed."""
        ...
