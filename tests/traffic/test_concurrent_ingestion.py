"""Two ingesters (two database connections, as two processes would have) adding to one minute lose nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.tortoise import TortoiseDatabase
from tests.contract.conftest import new_schema
from tests.traffic.conftest import Store, store_url, vod_over
from vod_core.services.validation import Page
from vod_core.traffic import TrafficRecord

BATCHES = 30
MINUTE = 1_710_000_000 - 1_710_000_000 % 60


@pytest.fixture(params=["sqlite", "postgres"])
def sql_location(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    kind = str(request.param)
    return kind, store_url(kind, request, tmp_path)


@pytest.fixture
async def two_ingesters(sql_location: tuple[str, str]) -> AsyncIterator[tuple[Store, Store]]:
    kind, url = sql_location
    if kind == "postgres":
        url = await new_schema(url)
    first, second = TortoiseDatabase(url), TortoiseDatabase(url)
    await first.connect()
    await second.connect()
    yield (
        Store(vod_over(first.unit_of_work, first.read_unit_of_work), first.close),
        Store(vod_over(second.unit_of_work, second.read_unit_of_work), second.close),
    )
    await first.close()
    await second.close()


async def test_concurrent_ingesters_never_lose_an_increment(two_ingesters: tuple[Store, Store]) -> None:
    first, second = two_ingesters
    await first.add_video("shared", "owner", "clip")
    await first.add_video("other", "owner", "clip 2")

    async def ingest(store: Store, n: int) -> int:
        # Both videos in every batch: the two ingesters' upserts overlap on every row they touch.
        return await store.vod.traffic.ingest(
            [TrafficRecord("shared", n, MINUTE + n % 60), TrafficRecord("other", 1, MINUTE + 1)]
        )

    counted = await asyncio.gather(*(ingest(first if n % 2 else second, n) for n in range(1, BATCHES + 1)))

    shared = sum(range(1, BATCHES + 1))
    assert sum(counted) == shared + BATCHES
    traffic = first.vod.traffic
    assert await traffic.list_video_statistic("owner", "shared", MINUTE, MINUTE + 59) == [(MINUTE, shared)]
    assert await traffic.list_video_statistic("owner", "other", MINUTE, MINUTE + 59) == [(MINUTE, BATCHES)]
    assert await traffic.get_user_video_total_summary("owner") == shared + BATCHES
    page = await traffic.list_video_total_summary(traffic.totals_query("owner"), Page(1, 20))
    assert [(row.video_id, row.total_bytes) for row in page.rows] == [("shared", shared), ("other", BATCHES)]
