"""``BackgroundServices`` with Redis: the traffic stream is consumed, rounds are leased, stop is prompt."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from adapters.jobs.inprocess import InProcessJobQueue
from adapters.redis.lease import RedisLease
from adapters.redis.traffic_feed import RedisTrafficFeed
from entrypoints.background import BackgroundServices
from tests.jobs.helpers import eventually, fresh_memory_vod, new_video
from vod_core.traffic import TrafficRecord
from vod_core.video import VideoStatus

pytestmark = pytest.mark.redis


async def test_serving_with_redis_consumes_the_traffic_stream(redis_url: str, redis_prefix: str) -> None:
    jobs = InProcessJobQueue()
    vod = fresh_memory_vod(jobs)
    user, _ = await vod.users.create_user("alice")
    video_id = await new_video(vod, user.id, skip_auto_trans=True)
    services = BackgroundServices(vod, job_queue=jobs, redis_url=redis_url, redis_prefix=redis_prefix)
    await services.start()
    feed = RedisTrafficFeed(redis_url, prefix=redis_prefix)
    try:
        await feed.publish([TrafficRecord(video_id, 1000, 1_700_000_000 + n) for n in range(50)])

        async def counted() -> bool:
            return await vod.traffic.get_user_video_total_summary(user.id) == 50_000

        await eventually(counted)
    finally:
        await services.stop()
        await feed.close()
    assert (
        await vod.videos.get_video(user.id, video_id)
    ).video.status == VideoStatus.READY  # the in-process runner ran too


async def test_a_lease_is_held_by_one_process_at_a_time(redis_url: str, redis_prefix: str) -> None:
    client = Redis.from_url(redis_url)
    try:
        first = RedisLease(client, f"{redis_prefix}lease", ttl_ms=10_000)
        second = RedisLease(client, f"{redis_prefix}lease", ttl_ms=10_000)
        assert await first.acquire()
        assert not await second.acquire()
        await second.release()  # not its lease: changes nothing
        assert not await second.acquire()
        await first.release()
        assert await second.acquire()
    finally:
        await client.aclose()
