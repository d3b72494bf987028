from __future__ import annotations

from collections.abc import Sequence

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from adapters.tortoise.errors import translated
from adapters.tortoise.mapping import to_video, video_columns
from adapters.tortoise.models import VideoRow
from adapters.tortoise.repositories.base import TortoiseRepository
from adapters.tortoise.sql import fetch
from vod_core.errors import GetVideoFailed, InsertVideoFailed, ListVideoFailed, UpdateVideoFailed
from vod_core.ports.videos import VideoQuery, VideoRepository
from vod_core.video import Video, VideoStatus

UNFINISHED = (VideoStatus.INITIAL, VideoStatus.UPLOADING)
LIVE_COUNT = "SELECT live FROM video_live_count WHERE user_id = ?"  # kept by triggers (m0004)


class TortoiseVideoRepository(TortoiseRepository, VideoRepository):
    @translated(InsertVideoFailed)
    async def add(self, video: Video) -> None:
        await self._models.video.create(using_db=self._db, **video_columns(video))

    @translated(GetVideoFailed)
    async def get(self, video_id: str) -> Video | None:
        row = await self._models.video.filter(id=video_id).using_db(self._db).first()
        return None if row is None else to_video(row)

    @translated(GetVideoFailed)
    async def get_many(self, video_ids: Sequence[str]) -> list[Video]:
        if not video_ids:
            return []
        rows = await self._models.video.filter(id__in=list(video_ids)).using_db(self._db)
        by_id = {row.id: to_video(row) for row in rows}
        return [by_id[i] for i in video_ids if i in by_id]

    @translated(UpdateVideoFailed)
    async def update(self, video: Video) -> None:
        columns = video_columns(video)
        del columns["id"]
        await self._models.video.filter(id=video.id).using_db(self._db).update(**columns)

    def _matching(self, query: VideoQuery) -> QuerySet[VideoRow]:
        """Served by ix_video_user_created; the name test escapes LIKE wildcards (Tortoise does)."""
        rows = self._models.video.filter(user_id=query.user_id).exclude(status=VideoStatus.DELETED)
        if query.search:
            rows = rows.filter(Q(id=query.search) | Q(video_name__icontains=query.search))
        if query.source_type is not None:
            rows = rows.filter(source_type=query.source_type)
        return rows.using_db(self._db)

    @translated(ListVideoFailed)
    async def find(self, query: VideoQuery, offset: int, limit: int) -> list[Video]:
        """Pick the page's ids first (from the covering index alone), then read only those rows.

        With OFFSET the database walks every skipped entry; this way a deep
        page skips index entries instead of whole table rows.
        """
        newest_first = ("-created_at", "-id")
        page = self._matching(query).order_by(*newest_first).offset(offset).limit(limit).values("id")
        rows = await self._models.video.filter(id__in=Subquery(page)).using_db(self._db).order_by(*newest_first)
        return [to_video(row) for row in rows]

    @translated(ListVideoFailed)
    async def count(self, query: VideoQuery) -> int:
        if not query.search and query.source_type is None:
            rows = await fetch(self._db, LIVE_COUNT, [query.user_id])
            return int(rows[0][0]) if rows else 0
        return await self._matching(query).count()

    @translated(ListVideoFailed)
    async def list_unfinished(self) -> list[Video]:
        rows = await self._models.video.filter(status__in=list(UNFINISHED)).using_db(self._db).order_by("created_at")
        return [to_video(row) for row in rows]
