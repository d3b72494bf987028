"""An object store that is down while a job stores what it made: the job fails (to be retried), nothing is failed.

A rendition or cover that could not be stored because the store was
unreachable is no fault of the video: the job raises, the queue runs it
again, and the retry finishes the work. Such tries are not attempts: only
an outage longer than the policy's bound fails the work (``Processing.give_up``).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from adapters.memory.storage import MemoryStorage
from tests.support.world import World, new_world
from vod_core.errors import InternalError, StorageUnavailable
from vod_core.play_set import PlaySetStatus
from vod_core.ports.jobs import Job
from vod_core.video import VideoStatus


class FlakyStorage(MemoryStorage):
    """Memory storage whose imports fail as an unreachable store does while ``down``."""

    def __init__(self) -> None:
        super().__init__()
        self.down = False

    async def import_file(self, key: str, local_path: str) -> int:
        if self.down:
            raise StorageUnavailable("object store failure in import_file: GenericError")
        return await super().import_file(key, local_path)


@pytest.fixture
async def outage() -> tuple[World, FlakyStorage]:
    storage = FlakyStorage()
    return await new_world(storage=storage), storage


async def test_a_rendition_the_store_could_not_take_is_made_again_on_retry(outage: tuple[World, FlakyStorage]) -> None:
    world, storage = outage
    video_id = await world.video(world.alice)
    await world.vod.transcoding.start_transcode(world.alice, video_id, 1)
    (job,) = world.jobs.pending
    storage.down = True
    with pytest.raises(InternalError) as raised:
        await world.vod.processing.handle(job)
    assert isinstance(raised.value.__cause__, StorageUnavailable)
    (waiting,) = (await world.vod.videos.get_video(world.alice, video_id)).play_sets
    assert waiting.status == PlaySetStatus.UPLOADING and not waiting.failure_reason
    storage.down = False
    await world.vod.processing.handle(Job(job.kind, job.video_id, job.play_set_ids, attempt=2))
    (ready,) = (await world.vod.videos.get_video(world.alice, video_id)).play_sets
    assert ready.status == PlaySetStatus.READY and ready.storage_id in storage.objects


async def test_a_cover_the_store_could_not_take_is_made_again_on_retry(outage: tuple[World, FlakyStorage]) -> None:
    world, storage = outage
    video_id = await world.video(world.alice, ready=False)
    (job,) = world.jobs.pending
    storage.down = True
    with pytest.raises(InternalError) as raised:
        await world.vod.processing.handle(job)
    assert isinstance(raised.value.__cause__, StorageUnavailable)
    waiting = (await world.vod.videos.get_video(world.alice, video_id)).video
    assert waiting.status == VideoStatus.UPLOADING and not waiting.thumb_storage_id
    storage.down = False
    await world.vod.processing.handle(Job(job.kind, job.video_id, job.play_set_ids, attempt=2))
    details = await world.vod.videos.get_video(world.alice, video_id)
    assert details.video.status == VideoStatus.READY
    assert details.video.thumb_storage_id in storage.objects


async def test_a_job_the_store_was_unavailable_to_for_too_long_fails_its_video(
    outage: tuple[World, FlakyStorage],
) -> None:
    world, _ = outage
    video_id = await world.video(world.alice, ready=False)
    (job,) = world.jobs.pending
    limit = world.vod.ctx.job_retries.outage_limit
    since = world.vod.ctx.clock.now() - limit
    await world.vod.processing.handle(replace(job, outages=30, outage_since=since))
    failed = (await world.vod.videos.get_video(world.alice, video_id)).video
    assert failed.status == VideoStatus.UPLOAD_FAILED
    assert failed.failure_reason == "gave up: the object store or database was unreachable for 24 h"
