from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from adapters.tortoise.errors import translated
from adapters.tortoise.mapping import FILES, VIDEOS, utc
from adapters.tortoise.repositories.base import TortoiseRepository
from adapters.tortoise.sql import execute, fetch, in_list
from vod_core.files import StoredFile
from vod_core.ports.files import FileRepository, FileWithVideo
from vod_core.video import VideoStatus

LINKED_SIZE_SUM = (
    "SELECT COALESCE(SUM(f.size), 0) FROM stored_file f JOIN video v ON v.id = f.video_id"
    " WHERE f.user_id = ? AND f.deleted = ? AND v.status <> ?"
)

UNLINKED_SIZE_SUM = (
    "SELECT COALESCE(SUM(size), 0) FROM stored_file"
    " WHERE user_id = ? AND video_id = '' AND deleted = ? AND created_at > ?"
)
UNLINKED_LIVE = "video_id = '' AND deleted = ?"

WITH_VIDEO = (
    f"SELECT {FILES.select_as('f', 'f_')}, {VIDEOS.select_as('v', 'v_')}"
    " FROM stored_file f LEFT JOIN video v ON v.id = f.video_id WHERE f.id = ? LIMIT 1"
)


class TortoiseFileRepository(TortoiseRepository, FileRepository):
    @translated
    async def add(self, stored: StoredFile) -> None:
        await self._insert(FILES, stored)

    @translated
    async def get(self, storage_id: str) -> StoredFile | None:
        return await self._select_one(FILES, "id = ?", [storage_id])

    @translated
    async def get_with_video(self, storage_id: str) -> FileWithVideo | None:
        rows = await fetch(self._db, WITH_VIDEO, [storage_id])
        if not rows:
            return None
        row = rows[0]
        return FileWithVideo(FILES.load(row, "f_"), None if row["v_id"] is None else VIDEOS.load(row, "v_"))

    @translated
    async def update(self, stored: StoredFile) -> None:
        await self._update(FILES, stored)

    @translated
    async def live_for_video(self, video_id: str) -> list[StoredFile]:
        return await self._select(FILES, "video_id = ? AND deleted = ?", [video_id, False], "ORDER BY created_at, id")

    @translated
    async def linked_size_sum(self, user_id: str) -> int:
        rows = await fetch(self._db, LINKED_SIZE_SUM, [user_id, False, int(VideoStatus.DELETED)])
        return int(rows[0][0])

    @translated
    async def mark_deleted(self, storage_ids: Sequence[str]) -> None:
        if storage_ids:
            where, params = in_list(self._db, "id", storage_ids)
            await execute(self._db, f"UPDATE stored_file SET deleted = ? WHERE {where}", [True, *params])

    @translated
    async def existing(self, storage_ids: Sequence[str]) -> set[str]:
        if not storage_ids:
            return set()
        where, params = in_list(self._db, "id", storage_ids)
        rows = await fetch(self._db, f"SELECT id FROM stored_file WHERE {where}", params)
        return {row["id"] for row in rows}

    @translated
    async def unlinked_size_sum(self, user_id: str, created_after: datetime) -> int:
        rows = await fetch(self._db, UNLINKED_SIZE_SUM, [user_id, False, utc(created_after)])
        return int(rows[0][0])

    @translated
    async def link(self, storage_id: str, video_id: str) -> bool:
        sql = f"UPDATE stored_file SET video_id = ? WHERE id = ? AND {UNLINKED_LIVE}"
        return await execute(self._db, sql, [video_id, storage_id, False]) == 1

    @translated
    async def unlinked_before(self, cutoff: datetime, limit: int) -> list[StoredFile]:
        where = f"{UNLINKED_LIVE} AND created_at <= ?"
        return await self._select(FILES, where, [False, utc(cutoff)], f"ORDER BY created_at, id LIMIT {int(limit)}")

    @translated
    async def delete_if_unlinked(self, storage_id: str) -> bool:
        sql = f"UPDATE stored_file SET deleted = ? WHERE id = ? AND {UNLINKED_LIVE}"
        return await execute(self._db, sql, [True, storage_id, False]) == 1
