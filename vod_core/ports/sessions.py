from __future__ import annotations

from datetime import datetime
from typing import Protocol

from vod_core.sessions import ConsoleSession


class SessionRepository(Protocol):
    """Console sessions, kept in the database so every process knows them and a sign-out ends them everywhere."""

    async def add(self, session: ConsoleSession) -> None: ...

    async def get(self, token_hash: str) -> ConsoleSession | None:
        """The session with that token hash, expired or not (the caller judges the expiry)."""
        ...

    async def delete(self, token_hash: str) -> int:
        """Remove that session (sign-out); returns how many were removed (0 or 1)."""
        ...

    async def delete_for_user(self, user_id: str) -> int:
        """Remove every session of the user (its keys were rotated or it was disabled); returns how many."""
        ...

    async def delete_expired(self, now: datetime) -> int:
        """Remove the sessions whose ``expires_at`` is at or before ``now``; returns how many."""
        ...
