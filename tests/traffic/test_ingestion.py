"""Ingestion drops what cannot count and finds videos created after an earlier batch named them."""

from __future__ import annotations

from tests.traffic.conftest import Store
from vod_core.traffic import TrafficRecord

MINUTE = 1_710_000_000 - 1_710_000_000 % 60


async def test_a_video_unknown_to_an_earlier_batch_counts_once_it_exists(store: Store) -> None:
    traffic = store.vod.traffic
    assert await traffic.ingest([TrafficRecord("late", 10, MINUTE)]) == 0

    await store.add_video("late", "owner", "late clip")
    counted = await traffic.ingest([TrafficRecord("late", 10, MINUTE), TrafficRecord("late", 5, MINUTE + 59)])

    assert counted == 15
    assert await traffic.list_video_statistic("owner", "late", MINUTE, MINUTE) == [(MINUTE, 15)]


async def test_empty_and_unknown_records_change_nothing(store: Store) -> None:
    await store.add_video("clip", "owner", "clip")
    traffic = store.vod.traffic

    assert await traffic.ingest([TrafficRecord("clip", 0, MINUTE), TrafficRecord("nope", 9, MINUTE)]) == 0
    assert await traffic.ingest([]) == 0

    assert await traffic.get_user_video_total_summary("owner") == 0
    assert await traffic.list_video_statistic("owner", "clip", MINUTE, MINUTE + 60) == []
