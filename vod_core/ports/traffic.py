from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
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

    def stream_video_totals(self, query: TotalsQuery) -> AsyncIterator[VideoTotal]:
        """All rows of ``video_totals`` in order, without holding them in memory."""
        ...

    async def daily(self, user_id: str, first_day: date, last_day: date) -> dict[date, int]:
        """Bytes per service-zone day with traffic in the range (days without traffic absent)."""
        ...

    async def user_total(self, user_id: str) -> int: ...
