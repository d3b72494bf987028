from __future__ import annotations

from datetime import datetime

from adapters.tortoise.errors import translated
from adapters.tortoise.mapping import RESUMABLE_UPLOADS, utc
from adapters.tortoise.repositories.base import TortoiseRepository
from adapters.tortoise.sql import execute
from vod_core.ports.resumable_uploads import ResumableUploadRepository
from vod_core.resumable import REMOVAL, ResumableUpload

LAPSED = "(lease_until IS NULL OR lease_until <= ?)"
"""A lease nobody holds any more (the caller checks ``lease`` itself)."""

CLAIM = (
    "UPDATE resumable_upload SET lease = ?, lease_until = ?"
    " WHERE id = ? AND finished = ? AND received = ? AND expires_at > ?"
    f" AND (lease = '' OR (lease <> ? AND {LAPSED}))"
)
RENEW = "UPDATE resumable_upload SET lease_until = ? WHERE id = ? AND lease = ?"
RELEASE = (
    "UPDATE resumable_upload SET received = ?, finished = ?, lease = '', lease_until = NULL WHERE id = ? AND lease = ?"
)
CLAIM_FOR_REMOVAL = (
    f"UPDATE resumable_upload SET lease = ?, lease_until = NULL WHERE id = ? AND (lease = '' OR lease = ? OR {LAPSED})"
)


class TortoiseResumableUploadRepository(TortoiseRepository, ResumableUploadRepository):
    @translated
    async def add(self, upload: ResumableUpload) -> None:
        await self._insert(RESUMABLE_UPLOADS, upload)

    @translated
    async def get(self, upload_id: str) -> ResumableUpload | None:
        return await self._select_one(RESUMABLE_UPLOADS, "id = ?", [upload_id])

    @translated
    async def claim(self, upload_id: str, offset: int, token: str, now: datetime, until: datetime) -> bool:
        params = [token, utc(until), upload_id, False, offset, utc(now), REMOVAL, utc(now)]
        return await execute(self._db, CLAIM, params) == 1

    @translated
    async def renew(self, upload_id: str, token: str, until: datetime) -> bool:
        return await execute(self._db, RENEW, [utc(until), upload_id, token]) == 1

    @translated
    async def release(self, upload_id: str, token: str, received: int, finished: bool = False) -> bool:
        return await execute(self._db, RELEASE, [received, finished, upload_id, token]) == 1

    @translated
    async def claim_for_removal(self, upload_id: str, now: datetime) -> bool:
        return await execute(self._db, CLAIM_FOR_REMOVAL, [REMOVAL, upload_id, REMOVAL, utc(now)]) == 1

    @translated
    async def delete(self, upload_id: str) -> None:
        await execute(self._db, "DELETE FROM resumable_upload WHERE id = ?", [upload_id])

    @translated
    async def ended_before(self, moment: datetime, limit: int) -> list[ResumableUpload]:
        tail = f"ORDER BY expires_at, id LIMIT {int(limit)}"
        return await self._select(RESUMABLE_UPLOADS, "expires_at <= ?", [utc(moment)], tail)
