"""The traffic feed on a Redis stream: an edge or CDN log shipper adds ``video_id, bytes, ts`` entries.

Entries are consumed in batches (``XREADGROUP COUNT batch_size``) and
acknowledged after the batch was ingested. Delivery is at least once: a
consumer dying between the ingest and the acknowledgement counts that
batch again when another consumer takes it over.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from redis.asyncio import Redis

from adapters.jobs.traffic_feed import Ingest, ingest_salvaging
from adapters.metrics import traffic_dropped, traffic_ingested
from adapters.redis.streams import Entry, StreamGroup, Timing, consumer_name
from vod_core.traffic import TrafficRecord

log = logging.getLogger(__name__)

GROUP = "traffic"


def stream_name(prefix: str) -> str:
    return f"{prefix}traffic"


def parse(entry: Entry) -> TrafficRecord | None:
    try:
        return TrafficRecord(entry.fields["video_id"], int(entry.fields["bytes"]), int(entry.fields["ts"]))
    except (KeyError, ValueError):
        log.warning("ignoring malformed traffic entry %s: %r", entry.id, entry.fields)
        return None


class RedisTrafficFeed:
    """The producer side (what a log shipper does), for tools, tests and benchmarks."""

    def __init__(self, client: Redis, prefix: str = "vod:") -> None:
        self.client = client
        self.stream = stream_name(prefix)

    async def publish(self, records: Sequence[TrafficRecord]) -> None:
        async with self.client.pipeline(transaction=False) as pipe:
            for r in records:
                pipe.xadd(self.stream, {"video_id": r.video_id, "bytes": r.bytes, "ts": r.ts})
            await pipe.execute()


class RedisTrafficConsumer:
    def __init__(
        self,
        client: Redis,
        ingest: Ingest,
        *,
        prefix: str = "vod:",
        batch_size: int = 500,
        timing: Timing | None = None,
        consumer: str | None = None,
    ) -> None:
        self._ingest = ingest
        self._batch_size = batch_size
        self._stopping = asyncio.Event()
        self.dropped = 0
        """Entries acknowledged without being counted: unparsable, or their write failed on its own."""
        self.group = StreamGroup(client, stream_name(prefix), GROUP, consumer or consumer_name(), timing or Timing())

    async def run(self) -> None:
        """Ingest batches until :meth:`stop`; a failed batch stays pending and is retried when idle.

        Stopping is cooperative (see ``RedisJobConsumer.run``): it takes effect within ``block_ms``.
        """
        await self.group.ensure()
        while not self._stopping.is_set():
            entries = await self.group.next(self._batch_size)
            if not entries:
                continue
            records = [r for r in map(parse, entries) if r is not None]
            try:
                failed = await ingest_salvaging(self._ingest, records) if records else 0
            except Exception:
                log.exception("ingesting %d traffic records failed; retried later", len(records))
                continue
            self.dropped += failed + len(entries) - len(records)
            await self.group.done([e.id for e in entries])
            traffic_ingested(len(records) - failed)
            traffic_dropped(len(entries) - len(records), "invalid")
            traffic_dropped(failed, "write_failed")

    def stop(self) -> None:
        self._stopping.set()
