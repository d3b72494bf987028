from __future__ import annotations

from datetime import datetime

from adapters.tortoise.errors import translated
from adapters.tortoise.mapping import outbox_columns, to_outbox_event, utc
from adapters.tortoise.repositories.base import TortoiseRepository
from vod_core.events import DeliveryState, OutboxEvent
from vod_core.ports.outbox import EventOutbox


class TortoiseOutbox(TortoiseRepository, EventOutbox):
    @translated
    async def add(self, event: OutboxEvent) -> None:
        await self._models.outbox.create(using_db=self._db, **outbox_columns(event))

    @translated
    async def due(self, now: datetime, limit: int) -> list[OutboxEvent]:
        rows = (
            await self._models.outbox.filter(state=DeliveryState.PENDING, next_attempt_at__lte=utc(now))
            .using_db(self._db)
            .order_by("created_at", "id")
            .limit(limit)
        )
        return [to_outbox_event(row) for row in rows]

    @translated
    async def update(self, event: OutboxEvent) -> None:
        columns = outbox_columns(event)
        del columns["id"]
        await self._models.outbox.filter(id=event.id).using_db(self._db).update(**columns)

    @translated
    async def dead(self, user_id: str) -> list[OutboxEvent]:
        rows = (
            await self._models.outbox.filter(user_id=user_id, state=DeliveryState.DEAD)
            .using_db(self._db)
            .order_by("-created_at", "-id")
        )
        return [to_outbox_event(row) for row in rows]
