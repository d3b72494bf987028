"""Bad windows are 3101 naming the field; other users' videos are 3102, deleted ones still answer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime

import pytest

from tests.traffic.conftest import Store, open_store
from vod_core.errors import InvalidParameter, NotFound
from vod_core.services.context import DEFAULT_ZONE
from vod_core.traffic import MAX_WINDOW_SECONDS, TrafficRecord

MIDNIGHT = int(datetime(2024, 3, 10, tzinfo=DEFAULT_ZONE).timestamp())


@pytest.fixture
async def memory() -> AsyncIterator[Store]:
    store = await open_store("memory", "")
    await store.add_video("mine", "me", "clip")
    await store.add_video("theirs", "them", "clip")
    yield store
    await store.close()


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (-60, 0, "start"),
        (MIDNIGHT, MIDNIGHT - 1, "end"),
        (MIDNIGHT, MIDNIGHT + MAX_WINDOW_SECONDS + 1, "end"),
    ],
)
async def test_bad_windows_are_rejected_naming_the_field(memory: Store, start: int, end: int, field: str) -> None:
    traffic = memory.vod.traffic
    with pytest.raises(InvalidParameter) as statistic:
        await traffic.list_video_statistic("me", "mine", start, end)
    with pytest.raises(InvalidParameter) as totals:
        traffic.totals_query("me", "", start, end)
    with pytest.raises(InvalidParameter) as days:
        traffic.day_range(start, end)
    for caught in (statistic, totals, days):
        assert (caught.value.code, caught.value.field) == (3101, field)


def test_a_totals_window_needs_both_bounds(memory: Store) -> None:
    with pytest.raises(InvalidParameter) as caught:
        memory.vod.traffic.totals_query("me", "", start=MIDNIGHT)
    assert caught.value.field == "end"
    with pytest.raises(InvalidParameter) as caught:
        memory.vod.traffic.totals_query("me", "", end=MIDNIGHT)
    assert caught.value.field == "start"


@pytest.mark.parametrize(
    ("start", "end", "field"), [(MIDNIGHT + 1, MIDNIGHT + 86400, "start"), (MIDNIGHT, MIDNIGHT + 3600, "end")]
)
def test_day_summaries_need_service_zone_midnights(memory: Store, start: int, end: int, field: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        memory.vod.traffic.day_range(start, end)
    assert (caught.value.code, caught.value.field) == (3101, field)


def test_exactly_ninety_days_between_midnights_is_allowed(memory: Store) -> None:
    first, last = memory.vod.traffic.day_range(MIDNIGHT, MIDNIGHT + MAX_WINDOW_SECONDS)
    assert (first, last) == (date(2024, 3, 10), date(2024, 6, 8))


async def test_another_users_video_is_reported_as_missing(memory: Store) -> None:
    with pytest.raises(NotFound):
        await memory.vod.traffic.list_video_statistic("me", "theirs", MIDNIGHT, MIDNIGHT + 60)


async def test_a_deleted_videos_traffic_still_answers(memory: Store) -> None:
    await memory.add_video("gone", "me", "old clip", deleted=True)
    await memory.vod.traffic.ingest([TrafficRecord("gone", 10, MIDNIGHT + 5)])
    assert await memory.vod.traffic.list_video_statistic("me", "gone", MIDNIGHT, MIDNIGHT) == [(MIDNIGHT, 10)]
    assert await memory.vod.traffic.get_user_video_total_summary("me") == 10
