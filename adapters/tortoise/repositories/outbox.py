from __future__ import annotations

from datetime import datetime

from adapters.tortoise.errors import translated
from adapters.tortoise.mapping import OUTBOX, utc
from adapters.tortoise.repositories.base import TortoiseRepository
from vod_core.events import DeliveryState, OutboxEvent
from vod_core.ports.outbox import EventOutbox


class TortoiseOutbox(TortoiseRepository, EventOutbox):
    @translated
    async def add(self, event: OutboxEvent) -> None:
        await self._insert(OUTBOX, event)

    @translated
    async def due(self, now: datetime, limit: int) -> list[OutboxEvent]:
        where, params = "state = ? AND next_attempt_at <= ?", [int(DeliveryState.PENDING), utc(now), limit]
        return await self._select(OUTBOX, where, params, "ORDER BY created_at, id LIMIT ?")

    @translated
    async def update(self, event: OutboxEvent) -> None:
        await self._update(OUTBOX, event)

    @translated
    async def dead(self, user_id: str) -> list[OutboxEvent]:
        where, params = "user_id = ? AND state = ?", [user_id, int(DeliveryState.DEAD)]
        return await self._select(OUTBOX, where, params, "ORDER BY created_at DESC, id DESC")
