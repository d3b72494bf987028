"""One bad traffic record costs only itself (issue 11 item 9): both feeds, Redis for real."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest
from redis.asyncio import Redis

from adapters.jobs.traffic_feed import Ingest, InProcessTrafficFeed
from adapters.redis.streams import Timing
from adapters.redis.traffic_feed import RedisTrafficConsumer, RedisTrafficFeed
from tests.jobs.helpers import eventually
from tests.jobs.test_traffic_feeds import MINUTE, records, two_videos
from vod_core import Vod
from vod_core.services.traffic import record_problem
from vod_core.traffic import TrafficRecord


def poisoned(videos: list[str]) -> list[TrafficRecord]:
    """100 good records of 100 bytes, and bad ones in between: ms timestamps, negative or huge values."""
    good = records(videos, 100)
    bad = [
        TrafficRecord(videos[0], 100, 10**12),
        TrafficRecord(videos[1], 100, -1),
        TrafficRecord(videos[0], -5, MINUTE),
        TrafficRecord(videos[0], 10**20, MINUTE),
        TrafficRecord("x" * 40, 100, MINUTE),
    ]
    return good[:30] + bad[:2] + good[30:70] + bad[2:] + good[70:]


class FailsOnMarkedRecords:
    """``vod.traffic.ingest`` that fails any batch holding a record of ``marker`` bytes: an unforeseen poison."""

    def __init__(self, vod: Vod, marker: int = 77) -> None:
        self.vod = vod
        self.marker = marker

    async def __call__(self, batch: Sequence[TrafficRecord]) -> int:
        if any(r.bytes == self.marker for r in batch):
            raise RuntimeError("poisoned write")
        return await self.vod.traffic.ingest(batch)


@pytest.mark.parametrize(
    "record",
    [
        TrafficRecord("v", 1, 10**12),
        TrafficRecord("v", 1, -60),
        TrafficRecord("v", -1, 0),
        TrafficRecord("v", 1 << 41, 0),
        TrafficRecord("", 1, 0),
        TrafficRecord("v\x00", 1, 0),
        TrafficRecord("v", True, 0),
    ],
)
def test_malformed_records_are_named(record: TrafficRecord) -> None:
    assert record_problem(record) is not None
    assert record_problem(TrafficRecord("v", 1, MINUTE)) is None


async def test_the_core_drops_bad_records_one_by_one() -> None:
    vod, user, videos = await two_videos()
    assert await vod.traffic.ingest(poisoned(videos)) == 10_000
    assert await vod.traffic.get_user_video_total_summary(user) == 10_000
    assert vod.traffic.rejected == 5


async def test_the_in_process_feed_counts_the_good_records_of_a_poisoned_batch() -> None:
    vod, user, videos = await two_videos()
    feed = InProcessTrafficFeed(vod.traffic.ingest, batch_size=500, max_delay_s=0.05)
    feed.start()
    await feed.publish(poisoned(videos))
    await feed.wait_idle()
    await feed.stop()
    assert await vod.traffic.get_user_video_total_summary(user) == 10_000
    assert vod.traffic.rejected == 5


async def test_the_in_process_feed_salvages_a_batch_an_unforeseen_record_breaks() -> None:
    vod, user, videos = await two_videos()
    feed = InProcessTrafficFeed(FailsOnMarkedRecords(vod), batch_size=500, max_delay_s=0.05)
    feed.start()
    await feed.publish([*records(videos, 50), TrafficRecord(videos[0], 77, MINUTE), *records(videos, 50)])
    await feed.wait_idle()
    await feed.stop()
    assert await vod.traffic.get_user_video_total_summary(user) == 10_000
    assert feed.dropped == 1


async def run_redis_consumer(
    redis_url: str, redis_prefix: str, batch: list[TrafficRecord], ingest: Ingest
) -> RedisTrafficConsumer:
    """Publish ``batch`` to the stream and consume until every entry is acknowledged."""
    client = Redis.from_url(redis_url, decode_responses=True)
    feed = RedisTrafficFeed(client, prefix=redis_prefix)
    await feed.publish(batch)
    consumer = RedisTrafficConsumer(
        client, ingest, prefix=redis_prefix, batch_size=500, timing=Timing(block_ms=100, claim_every_s=0.1)
    )
    task = asyncio.create_task(consumer.run())
    try:

        async def acknowledged() -> bool:
            return await feed.client.xlen(feed.stream) == 0

        await eventually(acknowledged)
    finally:
        consumer.stop()
        await task
        await client.aclose()
    return consumer


@pytest.mark.redis
async def test_the_redis_feed_counts_the_good_records_of_a_poisoned_batch(redis_url: str, redis_prefix: str) -> None:
    vod, user, videos = await two_videos()
    await run_redis_consumer(redis_url, redis_prefix, poisoned(videos), vod.traffic.ingest)
    assert await vod.traffic.get_user_video_total_summary(user) == 10_000
    assert vod.traffic.rejected == 5


@pytest.mark.redis
async def test_the_redis_feed_salvages_a_batch_an_unforeseen_record_breaks(redis_url: str, redis_prefix: str) -> None:
    vod, user, videos = await two_videos()
    batch = [*records(videos, 50), TrafficRecord(videos[0], 77, MINUTE), *records(videos, 50)]
    consumer = await run_redis_consumer(redis_url, redis_prefix, batch, FailsOnMarkedRecords(vod))
    assert await vod.traffic.get_user_video_total_summary(user) == 10_000
    assert consumer.dropped == 1
