from __future__ import annotations

from collections.abc import Sequence

from adapters.tortoise.errors import translated
from adapters.tortoise.mapping import PLAY_SETS
from adapters.tortoise.repositories.base import TortoiseRepository
from adapters.tortoise.sql import in_list
from vod_core.play_set import UNFINISHED_STATUSES, PlaySet, PlaySetStatus
from vod_core.ports.play_sets import PlaySetRepository


class TortoisePlaySetRepository(TortoiseRepository, PlaySetRepository):
    @translated
    async def add(self, play_set: PlaySet) -> None:
        await self._insert(PLAY_SETS, play_set)

    @translated
    async def get(self, play_set_id: str) -> PlaySet | None:
        return await self._select_one(PLAY_SETS, "id = ?", [play_set_id])

    @translated
    async def update(self, play_set: PlaySet) -> None:
        await self._update(PLAY_SETS, play_set)

    @translated
    async def live_for_videos(self, video_ids: Sequence[str]) -> list[PlaySet]:
        if not video_ids:
            return []
        where, params = in_list(self._db, "video_id", video_ids)
        params.append(int(PlaySetStatus.DELETED))
        return await self._select(PLAY_SETS, f"{where} AND NOT status = ?", params, "ORDER BY created_at, id")

    @translated
    async def list_unfinished(self) -> list[PlaySet]:
        where, params = in_list(self._db, "status", [int(s) for s in sorted(UNFINISHED_STATUSES)])
        return await self._select(PLAY_SETS, where, params, "ORDER BY created_at, id")
