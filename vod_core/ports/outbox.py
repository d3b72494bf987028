from __future__ import annotations

from datetime import datetime
from typing import Protocol

from vod_core.events import OutboxEvent


class EventOutbox(Protocol):
    """Events stored in the same transaction as the change that caused them."""

    async def add(self, event: OutboxEvent) -> None: ...

    async def due(self, now: datetime, limit: int) -> list[OutboxEvent]:
        """Pending events whose next attempt is due, oldest first."""
        ...

    async def update(self, event: OutboxEvent) -> None: ...

    async def dead(self, user_id: str) -> list[OutboxEvent]:
        """Events of the user given up on, newest first."""
        ...
