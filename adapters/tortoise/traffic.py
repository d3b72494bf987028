"""Traffic buckets in SQL: per-(video, minute) buckets, per-(user, day) and per-video rollups.

Every write is an ``INSERT ... ON CONFLICT DO UPDATE SET bytes = bytes + excluded.bytes``
so concurrent ingesters add instead of overwriting. On PostgreSQL a batch is
one call of ``traffic_add`` (created by migration m0002: three upserts in a
fixed lock order, one round trip); on SQLite three ``executemany`` in the
unit of work's write transaction. Queries are raw SQL returning plain tuples.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from adapters.tortoise.errors import translated
from adapters.tortoise.mapping import moment
from adapters.tortoise.sql import fetch, name_match
from vod_core.ports.traffic import TotalsQuery, TrafficRepository
from vod_core.traffic import MinuteIncrement, VideoTotal

VIDEO_TABLE = "video"
OWNERS_CHUNK = 500

_SQLITE_UPSERTS = {
    "traffic_minute": ("video_id, minute", "video_id, minute, bytes"),
    "traffic_day": ("user_id, day", "user_id, day, bytes"),
    "traffic_video_total": ("video_id", "video_id, user_id, bytes"),
}


class TortoiseTrafficRepository(TrafficRepository):
    def __init__(self, connection: BaseDBAsyncClient) -> None:
        self._db = connection
        self._postgres = connection.capabilities.dialect == "postgres"

    @translated
    async def owners(self, video_ids: Sequence[str]) -> dict[str, str]:
        if self._postgres:
            rows = await fetch(self._db, f"SELECT id, user_id FROM {VIDEO_TABLE} WHERE id = ANY(?)", [list(video_ids)])
            return {row["id"]: row["user_id"] for row in rows}
        found: dict[str, str] = {}
        for first in range(0, len(video_ids), OWNERS_CHUNK):  # SQLite caps the number of parameters
            chunk = video_ids[first : first + OWNERS_CHUNK]
            sql = f"SELECT id, user_id FROM {VIDEO_TABLE} WHERE id IN ({', '.join('?' * len(chunk))})"
            found.update({row["id"]: row["user_id"] for row in await fetch(self._db, sql, chunk)})
        return found

    @translated
    async def add(self, increments: Sequence[MinuteIncrement]) -> None:
        if not increments:
            return
        if self._postgres:  # traffic_add (migration m0002): one round trip per batch
            columns = [
                [i.video_id for i in increments],
                [i.user_id for i in increments],
                [i.minute for i in increments],
                [i.day.toordinal() for i in increments],
                [i.bytes for i in increments],
            ]
            await fetch(self._db, "SELECT traffic_add(?, ?, ?, ?, ?)", columns)
            return
        days: dict[tuple[str, int], int] = {}
        videos: dict[str, tuple[str, int]] = {}
        for inc in increments:
            day_key = (inc.user_id, inc.day.toordinal())
            days[day_key] = days.get(day_key, 0) + inc.bytes
            videos[inc.video_id] = (inc.user_id, videos.get(inc.video_id, ("", 0))[1] + inc.bytes)
        await self._sqlite_upsert("traffic_minute", [[i.video_id, i.minute, i.bytes] for i in increments])
        await self._sqlite_upsert("traffic_day", [[user, day, total] for (user, day), total in days.items()])
        await self._sqlite_upsert("traffic_video_total", [[vid, user, total] for vid, (user, total) in videos.items()])

    async def _sqlite_upsert(self, table: str, rows: list[list[Any]]) -> None:
        """SQLite transactions here hold the write lock (BEGIN IMMEDIATE): no lock order to keep."""
        key, columns = _SQLITE_UPSERTS[table]
        values = ", ".join("?" * len(rows[0]))
        on_conflict = f"ON CONFLICT ({key}) DO UPDATE SET bytes = {table}.bytes + excluded.bytes"
        await self._db.execute_many(f"INSERT INTO {table} ({columns}) VALUES ({values}) {on_conflict}", rows)

    @translated
    async def minutes(self, video_id: str, first_minute: int, last_minute: int) -> list[tuple[int, int]]:
        """Up to 129,600 buckets: fetched as one row (two arrays / one string), not as a row per minute.

        Building a driver row object per minute costs about as much as the whole
        query; one aggregated row halves the time on both dialects.
        """
        where = "WHERE video_id = ? AND minute BETWEEN ? AND ?"
        params = [video_id, first_minute, last_minute]
        if self._postgres:
            arrays = "array_agg(minute ORDER BY minute), array_agg(bytes ORDER BY minute)"
            sql = f"SELECT {arrays} FROM traffic_minute {where}"
            minutes, counts = (await fetch(self._db, sql, params))[0]
            return list(zip(minutes, counts, strict=True)) if minutes else []
        sql = f"SELECT group_concat(minute || ',' || bytes, ';') FROM traffic_minute {where}"
        packed = (await fetch(self._db, sql, params))[0][0]
        if not packed:
            return []
        # group_concat has no ORDER BY before SQLite 3.44; rows come in key order, and sorting sorted input is O(n).
        return sorted((int(minute), int(count)) for minute, count in (pair.split(",") for pair in packed.split(";")))

    def _matching(self, query: TotalsQuery) -> tuple[str, list[Any]]:
        """The WHERE clause over ``video v``: the user's videos (deleted ones too) matching the search."""
        if not query.search:
            return "v.user_id = ?", [query.user_id]
        match, params = name_match(query.search, alias="v")
        return f"v.user_id = ? AND {match}", [query.user_id, *params]

    def _totals_sql(self, query: TotalsQuery) -> tuple[str, list[Any]]:
        """Every matching video with its total, as ``SELECT id, video_name, created_at, total``.

        Without a window the per-video rollup answers; with one, each video's
        buckets in the window are summed through the (video_id, minute) key.
        """
        if query.first_minute is None or query.last_minute is None:
            total = "(SELECT t.bytes FROM traffic_video_total t WHERE t.video_id = v.id)"
            params: list[Any] = []
        else:
            total = "(SELECT SUM(m.bytes) FROM traffic_minute m WHERE m.video_id = v.id AND m.minute BETWEEN ? AND ?)"
            params = [query.first_minute, query.last_minute]
        where, matching = self._matching(query)
        sql = f"SELECT v.id, v.video_name, v.created_at, COALESCE({total}, 0) AS total FROM {VIDEO_TABLE} v"
        return f"{sql} WHERE {where}", params + matching

    @staticmethod
    def _video_total(row: Any) -> VideoTotal:
        return VideoTotal(row["id"], row["video_name"], moment(row["created_at"]), int(row["total"]))

    @translated
    async def video_totals(self, query: TotalsQuery, offset: int, limit: int) -> list[VideoTotal]:
        sql, params = self._totals_sql(query)
        rows = await fetch(self._db, f"{sql} ORDER BY total DESC, v.id LIMIT ? OFFSET ?", [*params, limit, offset])
        return [self._video_total(row) for row in rows]

    @translated
    async def count_videos(self, query: TotalsQuery) -> int:
        where, params = self._matching(query)
        rows = await fetch(self._db, f"SELECT COUNT(*) FROM {VIDEO_TABLE} v WHERE {where}", params)
        return int(rows[0][0])

    @translated
    async def video_totals_after(self, query: TotalsQuery, after: VideoTotal | None, limit: int) -> list[VideoTotal]:
        sql, params = self._totals_sql(query)
        sql = f"SELECT * FROM ({sql}) t"
        if after is not None:
            sql += " WHERE total < ? OR (total = ? AND id > ?)"
            params += [after.total_bytes, after.total_bytes, after.video_id]
        rows = await fetch(self._db, f"{sql} ORDER BY total DESC, id LIMIT ?", [*params, limit])
        return [self._video_total(row) for row in rows]

    @translated
    async def daily(self, user_id: str, first_day: date, last_day: date) -> dict[date, int]:
        rows = await fetch(
            self._db,
            "SELECT day, bytes FROM traffic_day WHERE user_id = ? AND day BETWEEN ? AND ?",
            [user_id, first_day.toordinal(), last_day.toordinal()],
        )
        return {date.fromordinal(row["day"]): int(row["bytes"]) for row in rows}

    @translated
    async def user_total(self, user_id: str) -> int:
        rows = await fetch(self._db, "SELECT COALESCE(SUM(bytes), 0) FROM traffic_day WHERE user_id = ?", [user_id])
        return int(rows[0][0])
