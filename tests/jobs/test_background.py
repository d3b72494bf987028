"""``vod serve``'s background with Redis: one client, the traffic stream consumed, dispatch rounds locked."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from adapters.memory import MemoryJobQueue
from adapters.redis.traffic_feed import RedisTrafficFeed
from entrypoints.bootstrap import bootstrap, dispatch_lock_name, serving
from entrypoints.config import Config
from tests.jobs.helpers import eventually, new_video
from tests.notify.receiver import running_receiver
from vod_core.ports.jobs import Job, JobKind
from vod_core.traffic import TrafficRecord

pytestmark = pytest.mark.redis


async def test_serving_with_redis_consumes_the_traffic_stream_and_leaves_jobs_to_workers(
    redis_url: str, redis_prefix: str
) -> None:
    runtime = bootstrap(Config.in_memory(redis_url=redis_url, redis_prefix=redis_prefix))
    vod = runtime.vod
    user, _ = await vod.users.create_user("alice")
    async with serving(runtime):
        assert runtime.redis is not None and runtime.redis_jobs is not None
        assert runtime.redis_jobs.client is runtime.redis  # one client (pool) per process
        assert runtime.in_process_jobs is None
        video_id = await new_video(vod, user.id, skip_auto_trans=True)
        await RedisTrafficFeed(runtime.redis, prefix=redis_prefix).publish(
            [TrafficRecord(video_id, 1000, 1_700_000_000 + n) for n in range(50)]
        )

        async def counted() -> bool:
            return await vod.traffic.get_user_video_total_summary(user.id) == 50_000

        await eventually(counted)
        assert await runtime.redis_jobs.queued() == [Job(JobKind.PROCESS_VIDEO, video_id)]


async def test_a_dispatch_round_runs_only_while_no_other_process_holds_the_lock(
    redis_url: str, redis_prefix: str
) -> None:
    client = Redis.from_url(redis_url, decode_responses=True)
    jobs = MemoryJobQueue()
    config = Config.in_memory(redis_url=redis_url, redis_prefix=redis_prefix, webhook_allow_private=True)
    runtime = bootstrap(config, jobs=jobs, redis=client)
    vod = runtime.vod
    other_process = client.lock(dispatch_lock_name(redis_prefix), timeout=10)
    try:
        async with running_receiver() as receiver:
            user, _ = await vod.users.create_user("alice")
            await vod.preferences.set_callback(user.id, "video", receiver.url)
            await new_video(vod, user.id, skip_auto_trans=True)
            await jobs.drain(vod.processing.handle)  # the video is ready: one event is due
            services = runtime.background()
            assert await other_process.acquire(blocking=False)
            assert await services.dispatch_round() == 0
            assert receiver.requests == []
            await other_process.release()
            assert await services.dispatch_round() == 1
            assert len(receiver.accepted()) == 1
            assert not await client.exists(dispatch_lock_name(redis_prefix))  # released after the round
            await services.stop()
    finally:
        await client.aclose()
