from __future__ import annotations

from collections.abc import Sequence

from adapters.tortoise.errors import translated
from adapters.tortoise.mapping import FILE_COLUMNS, file_columns, file_from_row, to_file
from adapters.tortoise.repositories.base import TortoiseRepository
from adapters.tortoise.sql import fetch
from vod_core.files import StoredFile
from vod_core.ports.files import FileRepository
from vod_core.video import VideoStatus

LINKED_SIZE_SUM = (
    "SELECT COALESCE(SUM(f.size), 0) FROM stored_file f JOIN video v ON v.id = f.video_id"
    " WHERE f.user_id = ? AND f.deleted = ? AND v.status <> ?"
)


class TortoiseFileRepository(TortoiseRepository, FileRepository):
    @translated
    async def add(self, stored: StoredFile) -> None:
        await self._models.stored_file.create(using_db=self._db, **file_columns(stored))

    @translated
    async def get(self, storage_id: str) -> StoredFile | None:
        rows = await fetch(self._db, f"SELECT {FILE_COLUMNS} FROM stored_file WHERE id = ? LIMIT 1", [storage_id])
        return file_from_row(rows[0]) if rows else None

    @translated
    async def update(self, stored: StoredFile) -> None:
        columns = file_columns(stored)
        del columns["id"]
        await self._models.stored_file.filter(id=stored.id).using_db(self._db).update(**columns)

    @translated
    async def live_for_video(self, video_id: str) -> list[StoredFile]:
        rows = (
            await self._models.stored_file.filter(video_id=video_id, deleted=False)
            .using_db(self._db)
            .order_by("created_at", "id")
        )
        return [to_file(row) for row in rows]

    @translated
    async def linked_size_sum(self, user_id: str) -> int:
        rows = await fetch(self._db, LINKED_SIZE_SUM, [user_id, False, int(VideoStatus.DELETED)])
        return int(rows[0][0])

    @translated
    async def mark_deleted(self, storage_ids: Sequence[str]) -> None:
        if storage_ids:
            await self._models.stored_file.filter(id__in=list(storage_ids)).using_db(self._db).update(deleted=True)
