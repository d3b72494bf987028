"""The in-process traffic feed: records submitted one by one, ingested in batches.

Serving a file must not wait for a database write per chunk, so the HTTP
side only calls ``submit`` (non-blocking) and this feed writes every
``batch_size`` records or after ``max_delay_s``, whichever comes first.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence

from adapters.metrics import traffic_dropped, traffic_ingested
from vod_core.traffic import TrafficRecord

log = logging.getLogger(__name__)

Ingest = Callable[[Sequence[TrafficRecord]], Awaitable[int]]
"""``Vod.traffic.ingest``: adds records to the per-minute buckets (dropping malformed ones itself)."""


class TrafficWriteFailed(Exception):
    """No record of a batch could be written: the store is failing."""


async def ingest_salvaging(ingest: Ingest, records: Sequence[TrafficRecord]) -> int:
    """Ingest ``records`` as one batch or, if that fails, one by one; returns how many records failed alone.

    So a record that breaks the write in a way the core did not foresee
    costs only itself, not the batch. When every record fails alone the
    cause is the store, not the records: the batch's error is raised and
    the caller decides (drop, or retry later).
    """
    try:
        await ingest(records)
        return 0
    except Exception:
        if len(records) == 1:
            raise
        log.warning("a batch of %d traffic records failed; ingesting them one by one", len(records), exc_info=True)
    failed = 0
    for record in records:
        try:
            await ingest([record])
        except Exception:
            failed += 1
            log.warning("dropping traffic record %r: its write failed", record, exc_info=True)
    if failed == len(records):
        raise TrafficWriteFailed(f"all {failed} traffic records failed")
    return failed


class InProcessTrafficFeed:
    def __init__(
        self, ingest: Ingest, *, batch_size: int = 500, max_delay_s: float = 1.0, max_pending: int = 100_000
    ) -> None:
        self._ingest = ingest
        self._batch_size = batch_size
        self._max_delay_s = max_delay_s
        self._queue: asyncio.Queue[TrafficRecord] = asyncio.Queue(max_pending)
        self._task: asyncio.Task[None] | None = None
        self.dropped = 0
        """Records lost: queue full (the database cannot keep up) or a failed write."""

    def submit(self, record: TrafficRecord) -> None:
        try:
            self._queue.put_nowait(record)
        except asyncio.QueueFull:
            self.dropped += 1
            traffic_dropped(1, "queue_full")

    async def publish(self, records: Sequence[TrafficRecord]) -> None:
        for record in records:
            self.submit(record)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="traffic-feed")

    async def stop(self) -> None:
        """Write what is queued, then stop."""
        await self.wait_idle()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def wait_idle(self) -> None:
        """Return once every submitted record has been written (or dropped)."""
        if self._task is not None:
            await self._queue.join()

    async def _loop(self) -> None:
        while True:
            batch = await self._next_batch()
            try:
                failed = await ingest_salvaging(self._ingest, batch)
                self.dropped += failed
                traffic_ingested(len(batch) - failed)
                traffic_dropped(failed, "write_failed")
            except Exception:
                log.exception("dropping %d traffic records: the write failed", len(batch))
                self.dropped += len(batch)
                traffic_dropped(len(batch), "write_failed")
            finally:
                for _ in batch:
                    self._queue.task_done()

    async def _next_batch(self) -> list[TrafficRecord]:
        batch = [await self._queue.get()]
        deadline = asyncio.get_running_loop().time() + self._max_delay_s
        while len(batch) < self._batch_size:
            if self._queue.empty():
                remaining = deadline - asyncio.get_running_loop().time()
                if remaining <= 0:
                    break
                try:
                    batch.append(await asyncio.wait_for(self._queue.get(), remaining))
                except TimeoutError:
                    break
            else:
                batch.append(self._queue.get_nowait())
        return batch
