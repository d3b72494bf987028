"""A job queue that only collects jobs; ``drain`` runs them (and their follow-ups) in order."""

from __future__ import annotations

from vod_core.ports.jobs import Job, JobQueue
from vod_core.services.processing import Processing


class MemoryJobQueue(JobQueue):
    def __init__(self) -> None:
        self.pending: list[Job] = []

    async def enqueue(self, job: Job) -> None:
        self.pending.append(job)

    async def drain(self, processing: Processing) -> int:
        """Run every pending job until none is left; returns how many ran."""
        ran = 0
        while self.pending:
            job = self.pending.pop(0)
            self.pending.extend(await processing.handle(job))
            ran += 1
        return ran
