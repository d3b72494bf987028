"""The in-process job runner: bounded concurrency, retries, and resuming after a restart."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from adapters.jobs.inprocess import InProcessJobQueue
from adapters.memory.database import MemoryDatabase
from adapters.memory.fake_media import FakeTranscoder
from adapters.memory.storage import MemoryStorage
from entrypoints.bootstrap import Runtime
from tests.jobs.helpers import (
    BrokenTranscoder,
    GateTranscoder,
    eventually,
    memory_runtime,
    new_video,
    user_with_auto_transcode,
)
from vod_core import Vod
from vod_core.play_set import PlaySet, PlaySetStatus
from vod_core.ports.jobs import Job, JobKind
from vod_core.video import VideoStatus


async def live_play_sets(vod: Vod, video_id: str) -> list[PlaySet]:
    async with vod.ctx.uow() as uow:
        return await uow.play_sets.live_for_videos([video_id])


def queue_of(runtime: Runtime) -> InProcessJobQueue:
    assert runtime.in_process_jobs is not None
    return runtime.in_process_jobs


@asynccontextmanager
async def running(runtime: Runtime) -> AsyncIterator[InProcessJobQueue]:
    """The background services of ``vod serve`` without Redis: recovery, then jobs run in-process."""
    services = runtime.background()
    await services.start()
    try:
        yield queue_of(runtime)
    finally:
        await services.stop()


async def test_runs_at_most_concurrency_jobs_at_once() -> None:
    transcoder = GateTranscoder()
    runtime = memory_runtime(transcoder=transcoder)
    vod = runtime.vod
    async with running(runtime) as queue:
        user = await user_with_auto_transcode(vod)
        videos = [await new_video(vod, user) for _ in range(3)]

        async def two_blocked_and_all_probed() -> bool:
            details = [await vod.videos.get_video(user, v) for v in videos]
            return transcoder.active == 2 and all(d.video.status == VideoStatus.READY for d in details)

        await eventually(two_blocked_and_all_probed)
        transcoder.release.set()
        await queue.wait_idle()

    assert transcoder.max_active == 2
    for video_id in videos:
        assert [p.status for p in await live_play_sets(vod, video_id)] == [PlaySetStatus.READY]


async def test_a_raising_job_is_retried_until_the_limit_then_fails_with_the_reason() -> None:
    transcoder = BrokenTranscoder()
    runtime = memory_runtime(transcoder=transcoder)
    vod = runtime.vod
    async with running(runtime) as queue:
        user = await user_with_auto_transcode(vod)
        video_id = await new_video(vod, user)
        await queue.wait_idle()

        (play_set,) = await live_play_sets(vod, video_id)
        assert play_set.status == PlaySetStatus.TRANSCODE_FAILED
        assert "gave up after 3 attempts" in play_set.failure_reason
        assert len(transcoder.calls) == vod.ctx.job_retries.max_attempts
        # The runner survived: the next job still runs.
        other = await new_video(vod, user, skip_auto_trans=True)
        await queue.wait_idle()
        assert (await vod.videos.get_video(user, other)).video.status == VideoStatus.READY


async def test_unfinished_work_resumes_after_a_restart() -> None:
    db, storage = MemoryDatabase(), MemoryStorage()
    blocked = GateTranscoder()
    first = memory_runtime(db, storage, transcoder=blocked)
    async with running(first):
        user = await user_with_auto_transcode(first.vod)
        video_id = await new_video(first.vod, user)

        async def transcoding() -> bool:
            return [p.status for p in await live_play_sets(first.vod, video_id)] == [PlaySetStatus.TRANSCODING]

        await eventually(transcoding)
    # the process went away mid-transcode

    transcoder = FakeTranscoder()
    second = memory_runtime(db, storage, transcoder=transcoder)
    async with running(second) as queue:
        await queue.wait_idle()

    (play_set,) = await live_play_sets(second.vod, video_id)
    assert play_set.status == PlaySetStatus.READY
    assert transcoder.calls == [[1]]


async def test_jobs_enqueued_before_start_run_once() -> None:
    transcoder = FakeTranscoder()
    runtime = memory_runtime(transcoder=transcoder)
    vod = runtime.vod
    user = await user_with_auto_transcode(vod)
    video_id = await new_video(vod, user)
    assert await queue_of(runtime).queued() == [Job(JobKind.PROCESS_VIDEO, video_id)]
    async with running(runtime) as queue:
        await queue.wait_idle()

    assert (await vod.videos.get_video(user, video_id)).video.status == VideoStatus.READY
    assert transcoder.calls == [[1]]
