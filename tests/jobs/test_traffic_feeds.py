"""Traffic records from a log shipper, in batches into the per-minute buckets: Redis stream and in-process."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest
from redis.asyncio import Redis

from adapters.jobs.traffic_feed import InProcessTrafficFeed
from adapters.memory import MemoryJobQueue
from adapters.redis.streams import Timing
from adapters.redis.traffic_feed import RedisTrafficConsumer, RedisTrafficFeed
from tests.jobs.helpers import eventually, fresh_memory_vod, new_video
from vod_core import Vod
from vod_core.traffic import TrafficRecord

MINUTE = 1_700_000_040  # a minute boundary


class CountingIngest:
    """``vod.traffic.ingest`` that remembers the size of each batch."""

    def __init__(self, vod: Vod) -> None:
        self.vod = vod
        self.batches: list[int] = []

    async def __call__(self, records: Sequence[TrafficRecord]) -> int:
        self.batches.append(len(records))
        return await self.vod.traffic.ingest(records)


async def two_videos() -> tuple[Vod, str, list[str]]:
    jobs = MemoryJobQueue()
    vod = fresh_memory_vod(jobs)
    user, _ = await vod.users.create_user("alice")
    videos = [await new_video(vod, user.id, skip_auto_trans=True) for _ in range(2)]
    await jobs.drain(vod.processing.handle)
    return vod, user.id, videos


def records(videos: list[str], count: int) -> list[TrafficRecord]:
    return [TrafficRecord(videos[n % 2], 100, MINUTE + n % 120) for n in range(count)]


@pytest.mark.redis
async def test_the_redis_stream_is_ingested_in_batches(redis_url: str, redis_prefix: str) -> None:
    vod, user, videos = await two_videos()
    ingest = CountingIngest(vod)
    client = Redis.from_url(redis_url, decode_responses=True)
    feed = RedisTrafficFeed(client, prefix=redis_prefix)
    await feed.publish(records(videos, 1000))
    await feed.client.xadd(feed.stream, {"video_id": videos[0], "bytes": "lots"})  # malformed: skipped
    consumer = RedisTrafficConsumer(
        client, ingest, prefix=redis_prefix, batch_size=200, timing=Timing(block_ms=100, claim_every_s=0.1)
    )
    task = asyncio.create_task(consumer.run())
    try:

        async def all_counted() -> bool:
            return await vod.traffic.get_user_video_total_summary(user) == 100_000

        await eventually(all_counted)

        async def acknowledged() -> bool:
            return await feed.client.xlen(feed.stream) == 0

        await eventually(acknowledged)
    finally:
        consumer.stop()
        await task
        await client.aclose()
    assert max(ingest.batches) == 200
    assert sum(ingest.batches) == 1000
    minutes = await vod.traffic.list_video_statistic(user, videos[0], MINUTE, MINUTE + 119)
    assert [m for m, _ in minutes] == [MINUTE, MINUTE + 60]
    assert sum(b for _, b in minutes) == 50_000


async def test_the_in_process_feed_batches_submitted_records() -> None:
    vod, user, videos = await two_videos()
    ingest = CountingIngest(vod)
    feed = InProcessTrafficFeed(ingest, batch_size=100, max_delay_s=0.05)
    feed.start()
    await feed.publish(records(videos, 250))
    await feed.wait_idle()
    await feed.stop()

    assert await vod.traffic.get_user_video_total_summary(user) == 25_000
    assert ingest.batches[:2] == [100, 100]
    assert sum(ingest.batches) == 250
    assert feed.dropped == 0


async def test_the_in_process_feed_drops_rather_than_blocks_when_full() -> None:
    vod, _, videos = await two_videos()
    feed = InProcessTrafficFeed(vod.traffic.ingest, max_pending=10)
    await feed.publish(records(videos, 15))
    assert feed.dropped == 5
