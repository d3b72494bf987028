"""Traffic records, per-minute buckets and the time-window rules of the statistics API."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from vod_core.errors import InvalidParameter

MAX_WINDOW_SECONDS = 90 * 86400


@dataclass(frozen=True)
class TrafficRecord:
    """``bytes`` sent for ``video_id`` at Unix second ``ts`` (from a server or a CDN log)."""

    video_id: str
    bytes: int
    ts: int


@dataclass(frozen=True)
class MinuteIncrement:
    """Bytes to add to one video's bucket of one minute.

    ``day`` is the minute's date in the service time zone, so stores can keep
    daily rollups without knowing about time zones.
    """

    video_id: str
    user_id: str
    minute: int
    day: date
    bytes: int


@dataclass(frozen=True)
class VideoTotal:
    video_id: str
    video_name: str
    video_created_at: datetime
    total_bytes: int


def minute_of(ts: int) -> int:
    return ts - ts % 60


def local_day(ts: int, zone: tzinfo) -> date:
    return datetime.fromtimestamp(ts, tz=UTC).astimezone(zone).date()


def aggregate(records: Iterable[TrafficRecord], owners: Mapping[str, str], zone: tzinfo) -> list[MinuteIncrement]:
    """Merge records into one increment per (video, minute).

    Records of videos not in ``owners`` (unknown ids) and empty records are
    dropped; late and out-of-order records simply count in their own minute.
    """
    sums: dict[tuple[str, int], int] = {}
    for record in records:
        if record.bytes <= 0 or record.video_id not in owners:
            continue
        key = (record.video_id, minute_of(record.ts))
        sums[key] = sums.get(key, 0) + record.bytes
    return [
        MinuteIncrement(video_id, owners[video_id], minute, local_day(minute, zone), total)
        for (video_id, minute), total in sums.items()
    ]


def check_window(start: int, end: int, *, start_field: str = "start", end_field: str = "end") -> None:
    """``0 <= end - start <= 90 days``, else 3101 naming the offending field."""
    if start < 0:
        raise InvalidParameter(start_field, "must not be negative")
    if end < start:
        raise InvalidParameter(end_field, "must not be before start")
    if end - start > MAX_WINDOW_SECONDS:
        raise InvalidParameter(end_field, "must be at most 90 days after start")


def check_midnight(ts: int, zone: tzinfo, field: str) -> date:
    """The local date of ``ts``, which must be a midnight in the service zone."""
    moment = datetime.fromtimestamp(ts, tz=UTC).astimezone(zone)
    if (moment.hour, moment.minute, moment.second, moment.microsecond) != (0, 0, 0, 0):
        raise InvalidParameter(field, f"must be a midnight in the service time zone ({zone})")
    return moment.date()


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
