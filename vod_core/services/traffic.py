"""Traffic: ingest byte counts into per-minute buckets and answer the statistics queries."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from vod_core.errors import (
    GetTotalTrafficFailed,
    GetUserTotalTrafficFailed,
    InternalError,
    InvalidParameter,
    ListTotalTrafficFailed,
    ListUserDailyTrafficFailed,
)
from vod_core.ids import MAX_ID_LENGTH
from vod_core.ports.traffic import TotalsQuery
from vod_core.ports.unit_of_work import UnitOfWork
from vod_core.services.context import Context
from vod_core.services.failures import fails_as
from vod_core.services.validation import Page, require_id, require_text
from vod_core.services.videos import owned_video
from vod_core.traffic import (
    TrafficRecord,
    VideoTotal,
    aggregate,
    check_midnight,
    check_window,
    days_between,
    minute_of,
)
from vod_core.video import MAX_NAME_LENGTH

log = logging.getLogger(__name__)

TOTALS_PAGE_SIZE = 20
OWNER_CACHE_SIZE = 100_000
EXPORT_CHUNK = 1000
MAX_RECORD_BYTES = 1 << 40
"""1 TiB: more in one record is a broken shipper, and sums of such records must fit a 64-bit column."""
MAX_RECORD_TS = int(datetime(9999, 12, 30, tzinfo=UTC).timestamp())
"""The last second every time zone can still date; milliseconds (``10**12`` and up) lie beyond it."""


def record_problem(record: TrafficRecord) -> str | None:
    """Why ``record`` cannot be counted, or None when it can.

    Records come from log shippers, not from validated requests: one bad
    record must be dropped on its own, never fail the batch it came in.
    """
    video_id, size, ts = record.video_id, record.bytes, record.ts
    if not isinstance(video_id, str) or not 0 < len(video_id) <= MAX_ID_LENGTH or not video_id.isprintable():
        return f"video_id must be an id of at most {MAX_ID_LENGTH} printable characters"
    if type(size) is not int or not 0 <= size <= MAX_RECORD_BYTES:
        return f"bytes must be an integer from 0 to {MAX_RECORD_BYTES}"
    if type(ts) is not int or not 0 <= ts <= MAX_RECORD_TS:
        return "ts must be a Unix time in seconds"
    return None


@dataclass(frozen=True)
class VideoTotalsPage:
    rows: list[VideoTotal]
    count: int


class TrafficStats:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        # video id -> owner. A video never changes owner and is never removed (deletion is a
        # status), so a known owner stays true; only unknown ids are looked up again.
        self._owners: dict[str, str] = {}
        self.rejected = 0
        """Records dropped because they were malformed (see :func:`record_problem`)."""

    def served(self, video_id: str, sent: int) -> TrafficRecord:
        """A record of ``sent`` bytes of ``video_id`` served now (the service clock), for the traffic feed."""
        return TrafficRecord(video_id, sent, int(self._ctx.clock.now().timestamp()))

    # Ingestion serves a log feed, not a request: no contract code describes it.
    @fails_as(InternalError)
    async def ingest(self, records: Sequence[TrafficRecord]) -> int:
        """Add records to their minute buckets; returns how many bytes counted.

        Records of unknown videos are dropped; deleted videos still count.
        Malformed records are dropped one by one, counted in ``rejected``
        and logged; the rest of the batch counts.
        """
        records = self._valid(records)
        if not records:
            return 0
        async with self._ctx.uow() as uow:
            owners = await self._owners_of(uow, {r.video_id for r in records})
            increments = aggregate(records, owners, self._ctx.zone)
            if increments:
                await uow.traffic.add(increments)
                await uow.commit()
        return sum(i.bytes for i in increments)

    def _valid(self, records: Sequence[TrafficRecord]) -> list[TrafficRecord]:
        valid = []
        for record in records:
            problem = record_problem(record)
            if problem is None:
                valid.append(record)
            else:
                self.rejected += 1
                log.warning("dropping traffic record %r: %s", record, problem)
        return valid

    async def _owners_of(self, uow: UnitOfWork, video_ids: set[str]) -> dict[str, str]:
        """Owners of the known videos among ``video_ids``, from the cache or the store."""
        missing = [i for i in video_ids if i not in self._owners]
        if missing:
            found = await uow.traffic.owners(missing)
            if len(self._owners) + len(found) > OWNER_CACHE_SIZE:
                self._owners.clear()
            self._owners.update(found)
        return {i: self._owners[i] for i in video_ids if i in self._owners}

    @fails_as(GetTotalTrafficFailed)
    async def list_video_statistic(self, user_id: str, video_id: str, start: int, end: int) -> list[tuple[int, int]]:
        """(minute, bytes) for each minute of ``[start, end]`` with traffic, ascending."""
        require_id("id", video_id)
        check_window(start, end)
        async with self._ctx.reader() as uow:
            await owned_video(uow, user_id, video_id, allow_deleted=True)
            return await uow.traffic.minutes(video_id, minute_of(start), minute_of(end))

    def totals_query(
        self, user_id: str, search: str = "", start: int | None = None, end: int | None = None
    ) -> TotalsQuery:
        """Validate the filters of the per-video totals (list and export)."""
        require_text("search", search, max_length=MAX_NAME_LENGTH, allow_empty=True)
        if (start is None) != (end is None):
            raise InvalidParameter("start" if start is None else "end", "must be given together with the other bound")
        if start is not None and end is not None:
            check_window(start, end)
            return TotalsQuery(user_id, search, minute_of(start), minute_of(end))
        return TotalsQuery(user_id, search)

    @fails_as(ListTotalTrafficFailed)
    async def list_video_total_summary(self, query: TotalsQuery, page: Page) -> VideoTotalsPage:
        async with self._ctx.reader() as uow:
            rows = await uow.traffic.video_totals(query, page.offset, page.page_size)
            return VideoTotalsPage(rows, await uow.traffic.count_videos(query))

    @fails_as(ListTotalTrafficFailed)
    async def stream_video_total_summary(self, query: TotalsQuery) -> AsyncIterator[VideoTotal]:
        """Every row of the totals, in order, read in chunks of ``EXPORT_CHUNK``.

        Each chunk has its own short transaction, so a slow reader (a CSV
        download) never holds the database: on SQLite a transaction is the
        write lock. Memory stays flat however many videos there are. A video
        whose total grows during the export may move ahead of the chunk being
        read, exactly as it could under PostgreSQL's READ COMMITTED anyway.
        """
        after: VideoTotal | None = None
        while True:
            async with self._ctx.reader() as uow:
                rows = await uow.traffic.video_totals_after(query, after, EXPORT_CHUNK)
            for row in rows:
                yield row
            if len(rows) < EXPORT_CHUNK:
                return
            after = rows[-1]

    def day_range(self, start: int, end: int) -> tuple[date, date]:
        """Validate a daily-summary window: service-zone midnights, at most 90 days apart."""
        check_window(start, end)
        return check_midnight(start, self._ctx.zone, "start"), check_midnight(end, self._ctx.zone, "end")

    @fails_as(ListUserDailyTrafficFailed)
    async def list_user_video_day_summary(self, user_id: str, first: date, last: date) -> list[tuple[date, int]]:
        """One row per day from ``first`` to ``last`` inclusive, zero-filled."""
        async with self._ctx.reader() as uow:
            sums = await uow.traffic.daily(user_id, first, last)
        return [(day, sums.get(day, 0)) for day in days_between(first, last)]

    @fails_as(GetUserTotalTrafficFailed)
    async def get_user_video_total_summary(self, user_id: str) -> int:
        async with self._ctx.reader() as uow:
            return await uow.traffic.user_total(user_id)
