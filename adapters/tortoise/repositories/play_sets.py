from __future__ import annotations

from collections.abc import Sequence

from adapters.tortoise.errors import translated
from adapters.tortoise.mapping import PLAY_SET_COLUMNS, play_set_columns, play_set_from_row, to_play_set
from adapters.tortoise.repositories.base import TortoiseRepository
from adapters.tortoise.sql import fetch, in_list
from vod_core.play_set import UNFINISHED_STATUSES, PlaySet, PlaySetStatus
from vod_core.ports.play_sets import PlaySetRepository


class TortoisePlaySetRepository(TortoiseRepository, PlaySetRepository):
    @translated
    async def add(self, play_set: PlaySet) -> None:
        await self._models.play_set.create(using_db=self._db, **play_set_columns(play_set))

    @translated
    async def get(self, play_set_id: str) -> PlaySet | None:
        row = await self._models.play_set.filter(id=play_set_id).using_db(self._db).first()
        return None if row is None else to_play_set(row)

    @translated
    async def update(self, play_set: PlaySet) -> None:
        columns = play_set_columns(play_set)
        del columns["id"]
        await self._models.play_set.filter(id=play_set.id).using_db(self._db).update(**columns)

    @translated
    async def live_for_videos(self, video_ids: Sequence[str]) -> list[PlaySet]:
        if not video_ids:
            return []
        where, params = in_list(self._db, "video_id", video_ids)
        sql = f"SELECT {PLAY_SET_COLUMNS} FROM play_set WHERE {where} AND NOT status = ? ORDER BY created_at, id"
        rows = await fetch(self._db, sql, [*params, int(PlaySetStatus.DELETED)])
        return [play_set_from_row(row) for row in rows]

    @translated
    async def list_unfinished(self) -> list[PlaySet]:
        statuses = sorted(UNFINISHED_STATUSES)
        rows = await self._models.play_set.filter(status__in=statuses).using_db(self._db).order_by("created_at", "id")
        return [to_play_set(row) for row in rows]
