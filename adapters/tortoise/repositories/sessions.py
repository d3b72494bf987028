from __future__ import annotations

from datetime import datetime

from adapters.tortoise.errors import translated
from adapters.tortoise.mapping import SESSIONS, utc
from adapters.tortoise.repositories.base import TortoiseRepository
from adapters.tortoise.sql import execute
from vod_core.ports.sessions import SessionRepository
from vod_core.sessions import ConsoleSession


class TortoiseSessionRepository(TortoiseRepository, SessionRepository):
    @translated
    async def add(self, session: ConsoleSession) -> None:
        await self._insert(SESSIONS, session)

    @translated
    async def get(self, token_hash: str) -> ConsoleSession | None:
        return await self._select_one(SESSIONS, "token_hash = ?", [token_hash])

    @translated
    async def delete(self, token_hash: str) -> int:
        return await execute(self._db, f"DELETE FROM {SESSIONS.name} WHERE token_hash = ?", [token_hash])

    @translated
    async def delete_for_user(self, user_id: str) -> int:
        return await execute(self._db, f"DELETE FROM {SESSIONS.name} WHERE user_id = ?", [user_id])

    @translated
    async def delete_expired(self, now: datetime) -> int:
        return await execute(self._db, f"DELETE FROM {SESSIONS.name} WHERE expires_at <= ?", [utc(now)])
