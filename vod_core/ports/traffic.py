from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from vod_core.traffic import MinuteIncrement, VideoTotal


@dataclass(frozen=True)
class TotalsQuery:
    """Per-video totals of one user's videos, deleted ones included.

    ``search`` as for videos (exact id or name substring). ``first_minute``
    and ``last_minute`` (epoch seconds of minute starts, inclusive) bound the
    buckets summed; None means unbounded.
    """

    user_id: str
    search: str = ""
    first_minute: int | None = None
    last_minute: int | None = None


class TrafficRepository(Protocol):
    async def owners(self, video_ids: Sequence[str]) -> dict[str, str]:
        """Owner (user id) of each known video, deleted ones included; unknown ids are absent.

        Ingestion needs only this of a video, so stores answer it without loading whole videos.
        """
        ...

    async def add(self, increments: Sequence[MinuteIncrement]) -> None:
        """Add to the buckets; concurrent adds to one bucket never lose an increment."""
        ...

    async def minutes(self, video_id: str, first_minute: int, last_minute: int) -> list[tuple[int, int]]:
        """(minute, bytes) of every bucket with traffic in the range, ascending."""
        ...

    async def video_totals(self, query: TotalsQuery, offset: int, limit: int) -> list[VideoTotal]:
        """Sorted by total bytes, descending, then video id; videos without traffic count 0."""
        ...

    async def count_videos(self, query: TotalsQuery) -> int: ...

    async def video_totals_after(self, query: TotalsQuery, after: VideoTotal | None, limit: int) -> list[VideoTotal]:
        """The next ``limit`` rows of ``video_totals`` after the row ``after`` (None: from the first).

        Keyset paging for exports: each chunk is read in its own short transaction.
        """
        ...

    async def daily(self, user_id: str, first_day: date, last_day: date) -> dict[date, int]:
        """Bytes per service-zone day with traffic in the range (days without traffic absent)."""
        ...

    async def user_total(self, user_id: str) -> int: ...
