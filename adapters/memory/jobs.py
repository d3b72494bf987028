"""A job queue that only collects jobs; ``drain`` runs them (and their follow-ups) in order."""

from __future__ import annotations

from vod_core.ports.jobs import Job, JobHandler, JobQueue


class MemoryJobQueue(JobQueue):
    def __init__(self) -> None:
        self.pending: list[Job] = []

    async def enqueue(self, job: Job) -> None:
        self.pending.append(job)

    async def queued(self) -> list[Job]:
        return list(self.pending)

    async def drain(self, handler: JobHandler) -> int:
        """Run every pending job, and what they enqueue, until none is left; returns how many ran."""
        ran = 0
        while self.pending:
            await handler(self.pending.pop(0))
            ran += 1
        return ran
