"""The Redis stream job queue against the real Redis: acknowledgement, redelivery, attempts."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from adapters.memory import MemoryJobQueue
from adapters.memory.database import MemoryDatabase
from adapters.memory.fake_media import FakeTranscoder
from adapters.memory.storage import MemoryStorage
from adapters.redis.jobs import GROUP, RedisJobConsumer, RedisJobQueue
from adapters.redis.streams import StreamGroup, Timing
from entrypoints.worker import run_worker
from tests.jobs.helpers import (
    BrokenTranscoder,
    GateTranscoder,
    consuming,
    eventually,
    fresh_memory_vod,
    memory_vod,
    new_video,
    pending,
    user_with_auto_transcode,
)
from vod_core.play_set import PlaySetStatus
from vod_core.ports.jobs import Job, JobKind
from vod_core.ports.media import Transcoder

pytestmark = pytest.mark.redis

FAST = Timing(min_idle_ms=300, claim_every_s=0.1, block_ms=100)


async def test_an_entry_is_acknowledged_and_removed_only_after_its_job_finished(queue: RedisJobQueue) -> None:
    transcoder = GateTranscoder()
    vod = fresh_memory_vod(queue, transcoder=transcoder)
    user = await user_with_auto_transcode(vod)
    async with consuming(RedisJobConsumer(queue, vod.processing.handle, timing=FAST, retries=vod.ctx.job_retries)):
        video_id = await new_video(vod, user)

        async def transcoding() -> bool:
            return transcoder.active == 1

        await eventually(transcoding)
        assert await pending(queue) == 1  # the transcode job, held while it runs
        transcoder.release.set()

        async def drained() -> bool:
            return await pending(queue) == 0 and await queue.client.xlen(queue.stream) == 0

        await eventually(drained)
    (play_set,) = (await vod.videos.get_video(user, video_id)).play_sets
    assert play_set.status == PlaySetStatus.READY


async def test_a_long_job_is_kept_alive_and_not_taken_over(queue: RedisJobQueue) -> None:
    transcoder = GateTranscoder()
    vod = fresh_memory_vod(queue, transcoder=transcoder)
    user = await user_with_auto_transcode(vod)
    async with (
        consuming(
            RedisJobConsumer(queue, vod.processing.handle, timing=FAST, retries=vod.ctx.job_retries, consumer="a")
        ),
        consuming(
            RedisJobConsumer(queue, vod.processing.handle, timing=FAST, retries=vod.ctx.job_retries, consumer="b")
        ),
    ):
        await new_video(vod, user)

        async def transcoding() -> bool:
            return transcoder.active == 1

        await eventually(transcoding)
        # Not synchronisation: wall time has to pass for an entry to become idle. Three
        # min-idle periods give the other consumer several claim rounds to take it over.
        await asyncio.sleep(3 * FAST.min_idle_ms / 1000)
        (entry,) = await queue.client.xpending_range(queue.stream, GROUP, min="-", max="+", count=1)
        assert entry["times_delivered"] == 1
        assert int(entry["time_since_delivered"]) < FAST.min_idle_ms
        assert transcoder.max_active == 1
        transcoder.release.set()


async def test_a_failing_job_is_redelivered_and_given_up_after_the_attempt_limit(queue: RedisJobQueue) -> None:
    transcoder: Transcoder = BrokenTranscoder()
    vod = fresh_memory_vod(queue, transcoder=transcoder)
    user = await user_with_auto_transcode(vod)
    async with consuming(RedisJobConsumer(queue, vod.processing.handle, timing=FAST, retries=vod.ctx.job_retries)):
        video_id = await new_video(vod, user)

        async def failed() -> bool:
            play_sets = (await vod.videos.get_video(user, video_id)).play_sets
            return bool(play_sets) and play_sets[0].status == PlaySetStatus.TRANSCODE_FAILED

        await eventually(failed)

        async def drained() -> bool:
            return await pending(queue) == 0

        await eventually(drained)
    (play_set,) = (await vod.videos.get_video(user, video_id)).play_sets
    assert "gave up after 3 attempts" in play_set.failure_reason
    assert isinstance(transcoder, BrokenTranscoder)
    assert len(transcoder.calls) == 3


async def test_follow_up_jobs_go_through_the_stream(queue: RedisJobQueue) -> None:
    transcoder = FakeTranscoder()
    vod = fresh_memory_vod(queue, transcoder=transcoder)
    user = await user_with_auto_transcode(vod, templates=(1, 2))
    async with consuming(
        RedisJobConsumer(queue, vod.processing.handle, timing=FAST, retries=vod.ctx.job_retries, concurrency=2)
    ):
        video_id = await new_video(vod, user)

        async def ready() -> bool:
            play_sets = (await vod.videos.get_video(user, video_id)).play_sets
            return len(play_sets) == 2 and all(p.status == PlaySetStatus.READY for p in play_sets)

        await eventually(ready)
    assert transcoder.calls == [[1, 2]]  # one job, one decode, for both renditions


async def test_creating_the_group_ignores_only_busygroup(redis_url: str, redis_prefix: str) -> None:
    client = Redis.from_url(redis_url, decode_responses=True)
    try:
        group = StreamGroup(client, f"{redis_prefix}s", "g", "c", FAST)
        await group.ensure()
        await group.ensure()  # exists: fine
        await client.set(f"{redis_prefix}not-a-stream", "x")
        with pytest.raises(ResponseError):
            await StreamGroup(client, f"{redis_prefix}not-a-stream", "g", "c", FAST).ensure()
    finally:
        await client.aclose()


async def test_a_worker_started_with_recover_picks_up_work_whose_enqueue_was_lost(queue: RedisJobQueue) -> None:
    db, storage = MemoryDatabase(), MemoryStorage()
    lost = MemoryJobQueue()  # the serving process died between its commit and the XADD
    before = memory_vod(db, storage, lost)
    user = await user_with_auto_transcode(before)
    video_id = await new_video(before, user)
    vod = memory_vod(db, storage, queue)
    stop = asyncio.Event()
    worker = asyncio.create_task(run_worker(vod, queue, timing=FAST, recover=True, stop=stop))

    async def ready() -> bool:
        play_sets = (await vod.videos.get_video(user, video_id)).play_sets
        return [p.status for p in play_sets] == [PlaySetStatus.READY]

    await eventually(ready)
    stop.set()
    await worker
    assert await pending(queue) == 0


def work(jobs: list[Job]) -> set[tuple[JobKind, str, frozenset[str]]]:
    """What ``jobs`` ask for, whatever their order and the order of their play sets."""
    return {(j.kind, j.video_id, frozenset(j.play_set_ids)) for j in jobs}


async def test_recovery_queues_only_work_that_no_entry_in_the_stream_covers(queue: RedisJobQueue) -> None:
    db, storage = MemoryDatabase(), MemoryStorage()
    lost = MemoryJobQueue()
    before = memory_vod(db, storage, lost)
    user = await user_with_auto_transcode(before, templates=(1, 2))
    covered, uncovered = await new_video(before, user), await new_video(before, user)
    for job in list(lost.pending):
        await before.processing.handle(job)  # both videos probed; the transcodes they enqueued were lost
    play_sets = {
        v: tuple(p.id for p in (await before.videos.get_video(user, v)).play_sets) for v in (covered, uncovered)
    }
    still_covered = Job(JobKind.TRANSCODE, covered, play_sets[covered][:1])
    await queue.enqueue(still_covered)  # one play set is still queued
    vod = memory_vod(db, storage, queue)

    recovered = await vod.processing.recover()

    expected = [
        Job(JobKind.TRANSCODE, covered, play_sets[covered][1:]),
        Job(JobKind.TRANSCODE, uncovered, play_sets[uncovered]),
    ]
    assert work(recovered) == work(expected)
    assert work(await queue.queued()) == work([still_covered, *recovered])
    assert await vod.processing.recover() == []  # everything is covered now
