"""The in-process queue through an object-store outage: jobs wait for the store, not count it as failures.

The store is memory storage that refuses media reads and writes while the
test says so (``StoreOutage``); retries are due within milliseconds
(``QUICK_RETRIES``) unless a test wants them to wait.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

from adapters.memory.database import MemoryDatabase
from adapters.memory.fake_media import fake_video_bytes
from adapters.memory.storage import MemoryStorage
from adapters.memory.unit_of_work import MemoryReadUnitOfWork, MemoryUnitOfWork
from entrypoints.bootstrap import bootstrap
from tests.jobs.helpers import (
    QUICK_RETRIES,
    TEST_CONFIG,
    BrokenTranscoder,
    eventually,
    memory_runtime,
    new_video,
    user_with_auto_transcode,
)
from tests.jobs.test_inprocess_queue import live_play_sets, queue_of, running
from tests.support.clock import ShiftedClock
from tests.support.outage import StoreOutage
from tests.support.units import Units
from tests.unit.test_use_case_failures import FlakyUnitOfWork, Outage
from vod_core import Vod
from vod_core.job_retries import JobRetryPolicy
from vod_core.play_set import PlaySetStatus
from vod_core.video import Video, VideoStatus

MANY = 12
"""Failed tries that stand for a long outage: four times the attempt limit."""


async def one_chunk(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def video_of(vod: Vod, user: str, video_id: str) -> Video:
    return (await vod.videos.get_video(user, video_id)).video


async def test_an_outage_longer_than_the_attempt_limit_waits_and_the_video_becomes_ready() -> None:
    storage = StoreOutage()
    storage.down = True
    runtime = memory_runtime(storage=storage)
    vod = runtime.vod
    async with running(runtime) as queue:
        user = await user_with_auto_transcode(vod)
        video_id = await new_video(vod, user)

        await eventually(storage.refused_at_least(MANY))
        waiting = await video_of(vod, user, video_id)
        assert (waiting.status, waiting.failure_reason) == (VideoStatus.UPLOADING, "")
        storage.down = False
        await queue.wait_idle()

    ready = await video_of(vod, user, video_id)
    assert ready.status == VideoStatus.READY and ready.thumb_storage_id in storage.objects
    assert [p.status for p in await live_play_sets(vod, video_id)] == [PlaySetStatus.READY]


async def test_outages_do_not_count_as_attempts_but_failures_of_the_job_do() -> None:
    storage, transcoder = StoreOutage(), BrokenTranscoder()
    runtime = memory_runtime(storage=storage, transcoder=transcoder)
    vod = runtime.vod
    async with running(runtime) as queue:
        user = await user_with_auto_transcode(vod, templates=())
        video_id = await new_video(vod, user)
        await queue.wait_idle()
        storage.down = True
        await vod.transcoding.start_transcode(user, video_id, 1)

        await eventually(storage.refused_at_least(MANY))
        assert transcoder.calls == []  # the source could not even be read
        storage.down = False  # now the transcoder's own failures count
        await queue.wait_idle()

    (play_set,) = await live_play_sets(vod, video_id)
    assert play_set.status == PlaySetStatus.TRANSCODE_FAILED
    assert play_set.failure_reason == "gave up after 3 attempts"
    assert len(transcoder.calls) == 3


async def test_a_file_that_is_not_a_video_fails_once_the_store_is_back_without_retries() -> None:
    storage = StoreOutage()
    storage.down = True
    runtime = memory_runtime(storage=storage)
    vod = runtime.vod
    async with running(runtime) as queue:
        user, _ = await vod.users.create_user("alice")
        stored = await vod.uploads.upload(user.id, "notes.mp4", one_chunk(b"just some text"))
        video = await vod.videos.create_video(user.id, stored.id)

        await eventually(storage.refused_at_least(MANY))
        storage.down = False
        await queue.wait_idle()
        assert await queue.queued() == []

    failed = await video_of(vod, user.id, video.id)
    assert failed.status == VideoStatus.UPLOAD_FAILED
    assert failed.failure_reason.startswith("not a video")


async def test_an_outage_past_the_bound_fails_the_video_saying_the_store_was_unreachable() -> None:
    storage, clock = StoreOutage(), ShiftedClock()
    storage.down = True
    runtime = memory_runtime(storage=storage, clock=clock)
    vod = runtime.vod
    async with running(runtime) as queue:
        user, _ = await vod.users.create_user("alice")
        video_id = await new_video(vod, user.id)

        await eventually(storage.refused_at_least(3))
        clock.advance(vod.ctx.job_retries.outage_limit)
        await queue.wait_idle()

    failed = await video_of(vod, user.id, video_id)
    assert failed.status == VideoStatus.UPLOAD_FAILED
    assert failed.failure_reason == "gave up: the object store or database was unreachable for 24 h"


async def test_jobs_waiting_for_the_store_hold_no_slot_and_a_stop_loses_none_of_them() -> None:
    db, storage = MemoryDatabase(), StoreOutage()
    hourly = JobRetryPolicy(first_delay=timedelta(hours=1), max_delay=timedelta(hours=1))
    first = memory_runtime(db, storage, job_retries=hourly)
    vod = first.vod
    async with running(first) as queue:
        user, _ = await vod.users.create_user("alice")
        stuck = []
        for _ in range(2):  # as many as the queue runs at once (bootstrap's default)
            stored = await vod.uploads.upload(user.id, "clip.mp4", one_chunk(fake_video_bytes()))
            storage.unreachable.add(stored.id)
            stuck.append((await vod.videos.create_video(user.id, stored.id)).id)

        async def both_waiting() -> bool:
            return storage.refused == 2 and len(await queue.queued()) == 2

        await eventually(both_waiting)
        other = await new_video(vod, user.id)

        async def other_ready() -> bool:
            return (await video_of(vod, user.id, other)).status == VideoStatus.READY

        await eventually(other_ready, what="a new video to be processed while two jobs wait an hour")
    # stopped (as by SIGTERM) while both jobs wait for their retry: the database keeps their work
    for video_id in stuck:
        assert (await video_of(vod, user.id, video_id)).status == VideoStatus.UPLOADING
    assert await queue_of(first).queued() == []  # so that recovery re-creates them

    storage.unreachable.clear()  # the store is back when the service starts again
    second = memory_runtime(db, storage)
    async with running(second) as queue:
        await queue.wait_idle()
    for video_id in stuck:
        assert (await video_of(second.vod, user.id, video_id)).status == VideoStatus.READY


async def test_a_database_outage_longer_than_the_attempt_limit_waits_too() -> None:
    db, outage = MemoryDatabase(), Outage()

    def writes() -> FlakyUnitOfWork:
        return FlakyUnitOfWork(MemoryUnitOfWork(db), outage)

    async def status() -> VideoStatus:
        async with MemoryReadUnitOfWork(db) as uow:
            video = await uow.videos.get(video_id)
        assert video is not None
        return video.status

    # Only writes fail: recovery at start reads what is unfinished.
    units = Units(writes, lambda: MemoryReadUnitOfWork(db))
    runtime = bootstrap(TEST_CONFIG, database=units, storage=MemoryStorage(), job_retries=QUICK_RETRIES)
    vod = runtime.vod
    user, _ = await vod.users.create_user("alice")
    video_id = await new_video(vod, user.id)  # queued, not started yet
    outage.start()
    async with running(runtime) as queue:
        failed_from = outage.calls

        async def tried_many_times() -> bool:
            return outage.calls - failed_from >= MANY

        await eventually(tried_many_times)
        assert await status() == VideoStatus.INITIAL
        outage.fail_from = None  # the database is back
        await queue.wait_idle()

    assert await status() == VideoStatus.READY
