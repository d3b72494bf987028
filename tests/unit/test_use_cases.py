"""What the use cases do when all goes well (and when background work is interrupted)."""

from __future__ import annotations

import asyncio

from adapters.memory.storage import MemoryStorage
from tests.support.loop import until
from tests.support.media_urls import signed_query, storage_id_of
from tests.support.stepped_transcoder import SteppedTranscoder
from tests.support.world import World, chunks_of, new_world
from vod_core.events import PLAY_SET_READY, VIDEO_READY, OutboxEvent
from vod_core.play_set import PlaySetStatus
from vod_core.ports.jobs import Job, JobKind
from vod_core.services.validation import Page
from vod_core.video import VideoStatus


async def pending_events(world: World) -> list[OutboxEvent]:
    async with world.vod.ctx.uow() as uow:
        return await uow.outbox.due(world.clock.current, 100)


def stored_objects(world: World) -> dict[str, bytes]:
    storage = world.vod.ctx.storage
    assert isinstance(storage, MemoryStorage)
    return storage.objects


async def test_a_new_video_is_probed_covered_and_announced(world: World) -> None:
    await world.vod.preferences.save_trans_config(world.alice, [3, 1])
    video_id = await world.video(world.alice)
    details = await world.vod.videos.get_video(world.alice, video_id)
    video = details.video
    assert video.status == VideoStatus.READY
    assert (video.video_width, video.video_height, video.video_duration) == (1280, 720, 10_000)
    assert video.thumb_storage_id in stored_objects(world)
    assert sorted((p.template_id, p.status, p.trans_progress) for p in details.play_sets) == [
        (1, PlaySetStatus.READY, 1.0),
        (3, PlaySetStatus.READY, 1.0),
    ]
    ready, *play_set_events = await pending_events(world)
    assert ready.event_type == VIDEO_READY and ready.user_id == world.alice
    assert ready.payload["video_id"] == video_id
    assert storage_id_of(ready.payload["url_origin"]) == video.storage_id
    for url in (ready.payload["url_origin"], ready.payload["thumb_url"]):  # signed for this video
        assert (await world.vod.downloads.open(storage_id_of(url), signed_query(url))).video_id == video_id
    assert [p["trans_task_config_temp_id"] for p in ready.payload["play_set"]] == [3, 1]
    assert set(ready.payload) == {
        "event_type", "video_id", "storage_id", "source_type", "source_id", "url_origin", "thumb_url",
        "file_size", "video_name", "video_width", "video_height", "video_duration", "play_set", "hls_url",
        "failure_reason",
    }  # fmt: skip
    assert ready.payload["failure_reason"] == ""
    assert [e.event_type for e in play_set_events] == [PLAY_SET_READY, PLAY_SET_READY]
    assert {e.payload["video_height"] for e in play_set_events} == {720, 360}
    for event in play_set_events:
        url = event.payload["url"]
        assert (await world.vod.downloads.open(storage_id_of(url), signed_query(url))).video_id == video_id
    assert set(play_set_events[0].payload) == {
        "event_type", "play_set_id", "video_id", "trans_task_config_temp_id", "resolution", "url",
        "file_size", "video_width", "video_height", "video_duration", "hls_url", "failure_reason",
    }  # fmt: skip


async def test_auto_transcodes_run_from_one_transcoder_call(world: World) -> None:
    await world.vod.preferences.save_trans_config(world.alice, [1, 2, 4])
    await world.video(world.alice)
    transcoder = world.vod.ctx.transcoder
    assert getattr(transcoder, "calls", None) == [[1, 2, 4]]


async def test_skip_auto_trans_starts_no_play_set(world: World) -> None:
    await world.vod.preferences.save_trans_config(world.alice, [1])
    storage_id = await world.upload(world.alice)
    video = await world.vod.videos.create_video(world.alice, storage_id, skip_auto_trans=True)
    await world.jobs.drain(world.vod.processing.handle)
    assert (await world.vod.videos.get_video(world.alice, video.id)).play_sets == []
    (ready,) = await pending_events(world)
    assert ready.payload["play_set"] == []


async def test_a_file_that_is_not_a_video_fails_the_upload(world: World) -> None:
    video_id = await world.video(world.alice, usable=False)
    video = (await world.vod.videos.get_video(world.alice, video_id)).video
    assert video.status == VideoStatus.UPLOAD_FAILED and "no video stream" in video.failure_reason
    assert await pending_events(world) == []


async def test_list_is_newest_first_and_paged_and_search_matches_id_or_name(world: World) -> None:
    names = ["Holiday 2024", "holiday clip", "work meeting"]
    ids = []
    for name in names:
        storage_id = await world.upload(world.alice)
        ids.append((await world.vod.videos.create_video(world.alice, storage_id, video_name=name)).id)
    await world.video(world.bob)
    page = await world.vod.videos.list_videos(world.alice, Page(1, 2))
    assert page.count == 3 and [d.video.id for d in page.videos] == ids[::-1][:2]
    page2 = await world.vod.videos.list_videos(world.alice, Page(2, 2))
    assert [d.video.id for d in page2.videos] == [ids[0]]
    found = await world.vod.videos.search_videos(world.alice, Page(), "HOLIDAY")
    assert {d.video.id for d in found.videos} == set(ids[:2])
    by_id = await world.vod.videos.search_videos(world.alice, Page(), ids[2])
    assert [d.video.id for d in by_id.videos] == [ids[2]]
    none = await world.vod.videos.search_videos(world.alice, Page(), "holiday", source_type="stream")
    assert none.count == 0


async def test_a_new_cover_replaces_and_removes_the_old_one(world: World) -> None:
    video_id = await world.video(world.alice)
    old_cover = (await world.vod.videos.get_video(world.alice, video_id)).video.thumb_storage_id
    new_cover = await world.upload(world.alice, b"\xff\xd8jpeg", "cover.jpg")
    await world.vod.videos.update_video(world.alice, video_id, video_name="renamed", thumb_storage_id=new_cover)
    video = (await world.vod.videos.get_video(world.alice, video_id)).video
    assert (video.video_name, video.thumb_storage_id) == ("renamed", new_cover)
    assert old_cover not in stored_objects(world)


async def test_delete_removes_play_sets_and_every_stored_file(world: World) -> None:
    await world.vod.preferences.save_trans_config(world.alice, [1])
    video_id = await world.video(world.alice)
    details = await world.vod.videos.get_video(world.alice, video_id)
    files = [details.video.storage_id, details.video.thumb_storage_id, details.play_sets[0].storage_id]
    assert all(f in stored_objects(world) for f in files)
    size_before = await world.vod.videos.size_sum(world.alice)
    assert size_before == sum(len(stored_objects(world)[f]) for f in files)
    await world.vod.videos.delete_video(world.alice, video_id)
    assert not any(f in stored_objects(world) for f in files)
    assert await world.vod.videos.size_sum(world.alice) == 0
    async with world.vod.ctx.uow() as uow:
        play_set = await uow.play_sets.get(details.play_sets[0].id)
    assert play_set is not None and play_set.status == PlaySetStatus.DELETED


async def test_deleting_a_video_cancels_its_running_transcode() -> None:
    transcoder = SteppedTranscoder()
    world = await new_world(transcoder=transcoder)
    video_id = await world.video(world.alice)
    play_set = await world.vod.transcoding.start_transcode(world.alice, video_id, 2)
    (job,) = world.jobs.pending
    world.jobs.pending.clear()
    task = asyncio.create_task(world.vod.processing.handle(job))
    await until(lambda: transcoder.channels)
    channel = transcoder.channels[0]
    await channel.waiting.wait()
    channel.waiting.clear()
    channel.commands.put_nowait("step")
    await channel.waiting.wait()
    async with world.vod.ctx.uow() as uow:
        running = await uow.play_sets.get(play_set.id)
    assert running is not None and running.status == PlaySetStatus.TRANSCODING
    assert 0 < running.trans_progress < 1
    await world.vod.videos.delete_video(world.alice, video_id)
    channel.waiting.clear()
    channel.commands.put_nowait("step")
    await task
    assert transcoder.channels == [] and world.jobs.pending == []
    async with world.vod.ctx.uow() as uow:
        gone = await uow.play_sets.get(play_set.id)
    assert gone is not None and gone.status == PlaySetStatus.DELETED and not gone.storage_id


async def test_a_failed_transcode_is_status_4_with_the_reason(world: World) -> None:
    video_id = await world.video(world.alice)
    world.vod.ctx.transcoder.fail_next = True  # type: ignore[attr-defined]
    await world.vod.transcoding.start_transcode(world.alice, video_id, 1)
    await world.jobs.drain(world.vod.processing.handle)
    (play_set,) = (await world.vod.videos.get_video(world.alice, video_id)).play_sets
    assert play_set.status == PlaySetStatus.TRANSCODE_FAILED
    assert "scripted failure" in play_set.failure_reason and play_set.trans_progress < 1


async def test_unfinished_work_is_found_again_after_a_restart(world: World) -> None:
    ready = await world.video(world.alice)
    waiting = await world.video(world.alice, ready=False)
    play_set = await world.vod.transcoding.start_transcode(world.alice, ready, 1)
    world.jobs.pending.clear()  # the process died: its queue is gone
    jobs = await world.vod.processing.recover()
    assert set(jobs) == {Job(JobKind.PROCESS_VIDEO, waiting), Job(JobKind.TRANSCODE, ready, (play_set.id,))}
    assert world.jobs.pending == jobs
    assert await world.vod.processing.recover() == []  # queued already: not queued twice
    await world.jobs.drain(world.vod.processing.handle)
    assert await world.vod.processing.unfinished() == []


async def test_a_job_past_its_last_attempt_fails_its_work(world: World) -> None:
    video_id = await world.video(world.alice)
    play_set = await world.vod.transcoding.start_transcode(world.alice, video_id, 1)
    world.jobs.pending.clear()
    attempts = world.vod.ctx.job_retries.max_attempts
    await world.vod.processing.handle(Job(JobKind.TRANSCODE, video_id, (play_set.id,), attempt=attempts + 1))
    (failed,) = (await world.vod.videos.get_video(world.alice, video_id)).play_sets
    assert failed.status == PlaySetStatus.TRANSCODE_FAILED and "gave up" in failed.failure_reason


async def test_running_a_job_twice_is_harmless(world: World) -> None:
    storage_id = await world.upload(world.alice)
    await world.vod.videos.create_video(world.alice, storage_id)
    job = world.jobs.pending[0]
    await world.jobs.drain(world.vod.processing.handle)
    await world.vod.processing.handle(job)
    assert world.jobs.pending == []  # nothing scheduled again
    assert len(await pending_events(world)) == 1


async def test_uploads_keep_the_file_name_and_default_the_video_name(world: World) -> None:
    stored = await world.vod.uploads.upload(world.alice, "C:\\videos\\trip.mp4", chunks_of(b"x"))
    assert (stored.filename, stored.content_type, stored.size) == ("trip.mp4", "video/mp4", 1)
    assert (await world.vod.uploads.get_file(world.alice, stored.id)).id == stored.id
    video = await world.vod.videos.create_video(world.alice, stored.id)
    assert video.video_name == "trip.mp4"
