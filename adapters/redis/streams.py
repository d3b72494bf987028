"""Consumer-group plumbing shared by the Redis job queue and the traffic feed.

Entries are read with ``XREADGROUP >`` and stay in the group's pending list
until :meth:`StreamGroup.done` acknowledges (and deletes) them, so an entry
whose consumer died is never lost: every ``claim_every_s`` a consumer runs
``XAUTOCLAIM`` for entries idle longer than ``min_idle_ms`` and takes them
over. A consumer still working on an entry keeps it fresh with
:meth:`StreamGroup.touch`.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import time
from dataclasses import dataclass
from typing import cast

from redis.asyncio import Redis
from redis.exceptions import ResponseError

log = logging.getLogger(__name__)


Reply = list[tuple[str, list[tuple[str, dict[str, str]]]]]


def consumer_name() -> str:
    """Unique per process (and per start), readable in ``XINFO CONSUMERS``."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


@dataclass(frozen=True)
class Entry:
    id: str
    fields: dict[str, str]
    claimed: bool
    """True when taken over from an idle consumer (a redelivery)."""


@dataclass(frozen=True)
class Timing:
    """``block_ms`` should not exceed ``claim_every_s`` or claims wait behind an idle read.

    It also bounds how long a consumer takes to stop (stopping is cooperative).
    """

    min_idle_ms: int = 60_000
    claim_every_s: float = 5.0
    block_ms: int = 1_000


class StreamGroup:
    def __init__(self, client: Redis, stream: str, group: str, consumer: str, timing: Timing) -> None:
        self.client = client
        self.stream = stream
        self.group = group
        self.consumer = consumer
        self.timing = timing
        self._next_claim = 0.0

    async def ensure(self) -> None:
        """Create the group (and the stream); an existing group is fine, any other error is not."""
        try:
            await self.client.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def next(self, count: int) -> list[Entry]:
        """Up to ``count`` entries: idle ones taken over when a claim is due, else new ones (blocking)."""
        if time.monotonic() >= self._next_claim:
            claimed = await self._claim_idle(count)
            if claimed:
                return claimed
            self._next_claim = time.monotonic() + self.timing.claim_every_s
        # The RESP2 shape (the client's default protocol), strings decoded.
        reply = cast(
            Reply,
            await self.client.xreadgroup(
                self.group, self.consumer, {self.stream: ">"}, count=count, block=self.timing.block_ms
            ),
        )
        return [Entry(entry_id, fields, False) for _, entries in reply or [] for entry_id, fields in entries]

    async def _claim_idle(self, count: int) -> list[Entry]:
        _, entries, _ = await self.client.xautoclaim(
            self.stream, self.group, self.consumer, self.timing.min_idle_ms, start_id="0-0", count=count
        )
        if entries:
            log.info("%s took over %d idle entries of %s", self.consumer, len(entries), self.stream)
        return [Entry(entry_id, fields, True) for entry_id, fields in entries if fields is not None]

    async def delivery_count(self, entry_id: str) -> int:
        """How often the entry was delivered (1 on the first read; each take-over adds one)."""
        pending = await self.client.xpending_range(self.stream, self.group, min=entry_id, max=entry_id, count=1)
        return int(pending[0]["times_delivered"]) if pending else 1

    async def touch(self, entry_id: str) -> None:
        """Reset the entry's idle time without counting a delivery (XCLAIM JUSTID)."""
        await self.client.xclaim(self.stream, self.group, self.consumer, 0, [entry_id], justid=True)

    async def done(self, entry_ids: list[str]) -> None:
        """Acknowledge and delete: the stream holds only work not yet done."""
        if not entry_ids:
            return
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.xack(self.stream, self.group, *entry_ids)
            pipe.xdel(self.stream, *entry_ids)
            await pipe.execute()

    async def retire(self) -> None:
        """Remove this consumer from the group, unless it still holds entries (others claim those)."""
        pending = await self.client.xpending_range(
            self.stream, self.group, min="-", max="+", count=1, consumername=self.consumer
        )
        if not pending:
            await self.client.xgroup_delconsumer(self.stream, self.group, self.consumer)
