from __future__ import annotations

from datetime import datetime

from adapters.tortoise.errors import translated
from adapters.tortoise.mapping import GUESSES, utc
from adapters.tortoise.repositories.base import TortoiseRepository
from adapters.tortoise.sql import execute, native
from vod_core.guesses import WrongGuesses
from vod_core.ports.guesses import GuessRepository

KEY = "client = ? AND video_id = ?"

# One statement, so concurrent wrong guesses each count (the row is locked until the commit).
ADD_FAILURE = (
    "INSERT INTO password_guess (client, video_id, failures, last_failure_at, next_allowed_at)"
    " VALUES (?, ?, 1, ?, ?)"
    " ON CONFLICT (client, video_id) DO UPDATE SET"
    " failures = CASE WHEN password_guess.last_failure_at <= ? THEN 1 ELSE password_guess.failures + 1 END,"
    " last_failure_at = excluded.last_failure_at"
    " RETURNING failures"
)


class TortoiseGuessRepository(TortoiseRepository, GuessRepository):
    @translated
    async def get(self, client: str, video_id: str) -> WrongGuesses | None:
        return await self._select_one(GUESSES, KEY, [client, video_id])

    @translated
    async def add_failure(self, client: str, video_id: str, at: datetime, forget_before: datetime) -> int:
        # execute_query_dict: Tortoise's asyncpg client drops the rows of an INSERT sent through execute_query.
        sql = native(ADD_FAILURE, self._db.capabilities.dialect)
        rows = await self._db.execute_query_dict(sql, [client, video_id, utc(at), utc(at), utc(forget_before)])
        return int(rows[0]["failures"])

    @translated
    async def hold(self, client: str, video_id: str, until: datetime) -> None:
        sql = f"UPDATE password_guess SET next_allowed_at = ? WHERE {KEY}"
        await execute(self._db, sql, [utc(until), client, video_id])

    @translated
    async def clear(self, client: str, video_id: str) -> None:
        await execute(self._db, f"DELETE FROM password_guess WHERE {KEY}", [client, video_id])

    @translated
    async def delete_stale(self, last_failure_before: datetime) -> int:
        sql = "DELETE FROM password_guess WHERE last_failure_at < ?"
        return await execute(self._db, sql, [utc(last_failure_before)])
