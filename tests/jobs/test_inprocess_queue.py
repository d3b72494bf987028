"""The in-process job runner: bounded concurrency, retries, and resuming after a restart."""

from __future__ import annotations

from adapters.jobs.inprocess import InProcessJobQueue
from adapters.memory.database import MemoryDatabase
from adapters.memory.fake_media import FakeTranscoder
from adapters.memory.storage import MemoryStorage
from tests.jobs.helpers import (
    BrokenTranscoder,
    GateTranscoder,
    eventually,
    fresh_memory_vod,
    memory_vod,
    new_video,
    user_with_auto_transcode,
)
from vod_core import Vod
from vod_core.play_set import PlaySet, PlaySetStatus
from vod_core.video import VideoStatus


async def live_play_sets(vod: Vod, video_id: str) -> list[PlaySet]:
    async with vod.ctx.uow() as uow:
        return await uow.play_sets.live_for_videos([video_id])


async def test_runs_at_most_concurrency_jobs_at_once() -> None:
    transcoder = GateTranscoder()
    queue = InProcessJobQueue(concurrency=2)
    vod = fresh_memory_vod(queue, transcoder=transcoder)
    queue.bind(vod.processing)
    await queue.start()
    user = await user_with_auto_transcode(vod)
    videos = [await new_video(vod, user) for _ in range(3)]

    async def two_blocked_and_all_probed() -> bool:
        details = [await vod.videos.get_video(user, v) for v in videos]
        return transcoder.active == 2 and all(d.video.status == VideoStatus.READY for d in details)

    await eventually(two_blocked_and_all_probed)
    transcoder.release.set()
    await queue.wait_idle()
    await queue.stop()

    assert transcoder.max_active == 2
    for video_id in videos:
        assert [p.status for p in await live_play_sets(vod, video_id)] == [PlaySetStatus.READY]


async def test_a_raising_job_is_retried_until_the_limit_then_fails_with_the_reason() -> None:
    transcoder = BrokenTranscoder()
    queue = InProcessJobQueue()
    vod = fresh_memory_vod(queue, transcoder=transcoder)
    queue.bind(vod.processing)
    await queue.start()
    user = await user_with_auto_transcode(vod)
    video_id = await new_video(vod, user)
    await queue.wait_idle()

    (play_set,) = await live_play_sets(vod, video_id)
    assert play_set.status == PlaySetStatus.TRANSCODE_FAILED
    assert "gave up after 3 attempts" in play_set.failure_reason
    assert len(transcoder.calls) == vod.ctx.max_job_attempts
    # The runner survived: the next job still runs.
    other = await new_video(vod, user, skip_auto_trans=True)
    await queue.wait_idle()
    assert (await vod.videos.get_video(user, other)).video.status == VideoStatus.READY
    await queue.stop()


async def test_unfinished_work_resumes_after_a_restart() -> None:
    db, storage = MemoryDatabase(), MemoryStorage()
    first_queue, blocked = InProcessJobQueue(), GateTranscoder()
    first = memory_vod(db, storage, first_queue, transcoder=blocked)
    first_queue.bind(first.processing)
    await first_queue.start()
    user = await user_with_auto_transcode(first)
    video_id = await new_video(first, user)

    async def transcoding() -> bool:
        return [p.status for p in await live_play_sets(first, video_id)] == [PlaySetStatus.TRANSCODING]

    await eventually(transcoding)
    await first_queue.stop()  # the process goes away mid-transcode

    second_queue, transcoder = InProcessJobQueue(), FakeTranscoder()
    second = memory_vod(db, storage, second_queue, transcoder=transcoder)
    second_queue.bind(second.processing)
    await second_queue.start()
    await second_queue.wait_idle()
    await second_queue.stop()

    (play_set,) = await live_play_sets(second, video_id)
    assert play_set.status == PlaySetStatus.READY
    assert transcoder.calls == [[1]]


async def test_jobs_enqueued_before_start_run_once() -> None:
    transcoder = FakeTranscoder()
    queue = InProcessJobQueue()
    vod = fresh_memory_vod(queue, transcoder=transcoder)
    user = await user_with_auto_transcode(vod)
    video_id = await new_video(vod, user)
    queue.bind(vod.processing)
    await queue.start()
    await queue.wait_idle()
    await queue.stop()

    assert (await vod.videos.get_video(user, video_id)).video.status == VideoStatus.READY
    assert transcoder.calls == [[1]]
