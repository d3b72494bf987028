"""The Redis job queue through an object-store outage (real Redis): retries wait in the delayed set.

As in test_inprocess_outages.py, the store is memory storage that refuses
media reads and writes while the test says so, and retries are due within
milliseconds (``QUICK_RETRIES``) unless a test wants them to wait.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.memory.database import MemoryDatabase
from adapters.redis.jobs import RedisJobConsumer, RedisJobQueue, decode_job, encode_job
from tests.jobs.helpers import (
    BrokenTranscoder,
    consuming,
    eventually,
    memory_vod,
    new_video,
    pending,
    user_with_auto_transcode,
)
from tests.jobs.test_inprocess_outages import MANY, video_of
from tests.jobs.test_redis_queue import FAST
from tests.support.clock import ShiftedClock
from tests.support.outage import StoreOutage
from vod_core import Vod
from vod_core.job_retries import JobRetryPolicy
from vod_core.play_set import PlaySetStatus
from vod_core.ports.clock import Clock
from vod_core.ports.jobs import Job, JobKind
from vod_core.video import VideoStatus

pytestmark = pytest.mark.redis


def consumer(vod: Vod, queue: RedisJobQueue, clock: Clock | None = None) -> RedisJobConsumer:
    """A consumer that follows the Vod's policy and clock, as ``vod worker`` does."""
    return RedisJobConsumer(
        queue, vod.processing.handle, timing=FAST, retries=vod.ctx.job_retries, clock=clock or vod.ctx.clock
    )


async def drained(queue: RedisJobQueue) -> bool:
    """Nothing pending, queued or waiting for a retry."""
    return await pending(queue) == 0 and await queue.client.xlen(queue.stream) == 0 and not await queue.queued()


async def test_an_outage_longer_than_the_attempt_limit_waits_and_the_video_becomes_ready(
    queue: RedisJobQueue,
) -> None:
    storage = StoreOutage()
    storage.down = True
    vod = memory_vod(MemoryDatabase(), storage, queue)
    user = await user_with_auto_transcode(vod)
    async with consuming(consumer(vod, queue)):
        video_id = await new_video(vod, user)

        await eventually(storage.refused_at_least(MANY))
        waiting = await video_of(vod, user, video_id)
        assert (waiting.status, waiting.failure_reason) == (VideoStatus.UPLOADING, "")
        storage.down = False

        async def ready() -> bool:
            play_sets = (await vod.videos.get_video(user, video_id)).play_sets
            return [p.status for p in play_sets] == [PlaySetStatus.READY]

        await eventually(ready)
        await eventually(lambda: drained(queue))
    assert (await video_of(vod, user, video_id)).status == VideoStatus.READY


async def test_outages_do_not_count_as_attempts_but_failures_of_the_job_do(queue: RedisJobQueue) -> None:
    storage, transcoder = StoreOutage(), BrokenTranscoder()
    vod = memory_vod(MemoryDatabase(), storage, queue, transcoder=transcoder)
    user = await user_with_auto_transcode(vod, templates=())
    async with consuming(consumer(vod, queue)):
        video_id = await new_video(vod, user)

        async def video_ready() -> bool:
            return (await video_of(vod, user, video_id)).status == VideoStatus.READY

        await eventually(video_ready)
        storage.down = True
        await vod.transcoding.start_transcode(user, video_id, 1)

        await eventually(storage.refused_at_least(MANY))
        assert transcoder.calls == []
        storage.down = False

        async def failed() -> bool:
            play_sets = (await vod.videos.get_video(user, video_id)).play_sets
            return [p.status for p in play_sets] == [PlaySetStatus.TRANSCODE_FAILED]

        await eventually(failed)
        await eventually(lambda: drained(queue))
    (play_set,) = (await vod.videos.get_video(user, video_id)).play_sets
    assert play_set.failure_reason == "gave up after 3 attempts"
    assert len(transcoder.calls) == 3


async def test_an_outage_past_the_bound_fails_the_video_saying_the_store_was_unreachable(
    queue: RedisJobQueue,
) -> None:
    storage, clock = StoreOutage(), ShiftedClock()
    storage.down = True
    vod = memory_vod(MemoryDatabase(), storage, queue, clock=clock)
    user, _ = await vod.users.create_user("alice")
    async with consuming(consumer(vod, queue)):
        video_id = await new_video(vod, user.id)

        await eventually(storage.refused_at_least(3))
        clock.advance(vod.ctx.job_retries.outage_limit)

        async def failed() -> bool:
            return (await video_of(vod, user.id, video_id)).status == VideoStatus.UPLOAD_FAILED

        await eventually(failed)
        await eventually(lambda: drained(queue))
    reason = (await video_of(vod, user.id, video_id)).failure_reason
    assert reason == "gave up: the object store or database was unreachable for 24 h"


async def test_a_stopped_worker_leaves_a_waiting_job_in_redis_with_its_counts(queue: RedisJobQueue) -> None:
    db, storage = MemoryDatabase(), StoreOutage()
    hourly = JobRetryPolicy(first_delay=timedelta(hours=1), max_delay=timedelta(hours=1))
    clock = ShiftedClock()
    first = memory_vod(db, storage, queue, clock=clock, job_retries=hourly)
    user, _ = await first.users.create_user("alice")
    storage.down = True
    async with consuming(consumer(first, queue)):
        video_id = await new_video(first, user.id)

        async def waiting() -> bool:
            return await queue.client.zcard(queue.delayed) == 1

        await eventually(waiting)
    # stopped (as by SIGTERM) while the job waits: it is in Redis, not in the stream
    assert await queue.client.xlen(queue.stream) == 0
    (job,) = await queue.queued()
    assert (job.kind, job.video_id, job.attempt, job.outages) == (JobKind.PROCESS_VIDEO, video_id, 1, 1)
    assert await first.processing.recover() == []  # the waiting job covers the work

    storage.down = False
    clock.advance(timedelta(hours=1))  # its retry is due
    second = memory_vod(db, storage, queue, clock=clock)
    async with consuming(consumer(second, queue)):

        async def ready() -> bool:
            return (await video_of(second, user.id, video_id)).status == VideoStatus.READY

        await eventually(ready)
        await eventually(lambda: drained(queue))


def test_the_counts_travel_in_the_entry_and_entries_without_them_are_first_attempts() -> None:
    since = datetime(2026, 1, 1, 12, 30, tzinfo=UTC)
    job = Job(JobKind.TRANSCODE, "v1", ("p1", "p2"), attempt=2, outages=5, outage_since=since)
    assert decode_job(encode_job(job)) == job
    assert decode_job(encode_job(job), redeliveries=1).attempt == 3  # taken over from a dead worker
    plain = {"kind": "process_video", "video_id": "v2", "play_set_ids": ""}
    assert encode_job(Job(JobKind.PROCESS_VIDEO, "v2")) == plain
    assert decode_job(plain) == Job(JobKind.PROCESS_VIDEO, "v2")
