"""Conflicting requests at once, through the real use cases: the database decides, exactly once."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from adapters.memory.fake_media import fake_video_bytes
from adapters.memory.jobs import MemoryJobQueue
from adapters.tortoise import TortoiseDatabase, sqlite_url
from entrypoints.bootstrap import bootstrap
from entrypoints.config import Config
from tests.contract.conftest import ReadUowFactory, UowFactory
from tests.support.units import Units
from vod_core import Vod
from vod_core.errors import AlreadyInLibrary, NotFound, TranscodeExists
from vod_core.files import StoredFile
from vod_core.play_set import PlaySet, PlaySetStatus
from vod_core.ports.videos import VideoQuery
from vod_core.video import Video, VideoStatus

CONCURRENT = 20


@dataclass
class Service:
    vod: Vod
    jobs: MemoryJobQueue
    uow: UowFactory
    user_id: str

    async def upload(self) -> StoredFile:
        async def chunks() -> AsyncIterator[bytes]:
            yield fake_video_bytes()

        return await self.vod.uploads.upload(self.user_id, "clip.mp4", chunks())

    async def ready_video(self) -> Video:
        video = await self.vod.videos.create_video(self.user_id, (await self.upload()).id, skip_auto_trans=True)
        await self.jobs.drain(self.vod.processing.handle)
        return video


@pytest.fixture
async def service(uow_factory: UowFactory, read_uow_factory: ReadUowFactory) -> Service:
    return await build_service(uow_factory, read_uow_factory)


async def build_service(uow_factory: UowFactory, read_uow_factory: ReadUowFactory | None = None) -> Service:
    jobs = MemoryJobQueue()
    units = Units(uow_factory, read_uow_factory or uow_factory)
    vod = bootstrap(Config.in_memory(), database=units, jobs=jobs).vod
    user, _ = await vod.users.create_user("alice")
    await asyncio.gather(*(vod.videos.size_sum(user.id) for _ in range(CONCURRENT)))  # open the pool's connections
    return Service(vod, jobs, uow_factory, user.id)


async def test_concurrent_transcodes_of_one_template_start_exactly_one_play_set(service: Service) -> None:
    video = await service.ready_video()
    results = await asyncio.gather(
        *(service.vod.transcoding.start_transcode(service.user_id, video.id, 2) for _ in range(CONCURRENT)),
        return_exceptions=True,
    )
    started = [r for r in results if isinstance(r, PlaySet)]
    refused = [r for r in results if isinstance(r, TranscodeExists)]
    assert (len(started), len(refused)) == (1, CONCURRENT - 1), results
    async with service.uow() as uow:
        live = await uow.play_sets.live_for_videos([video.id])
    assert [p.id for p in live] == [started[0].id]


async def test_concurrent_creates_of_one_stored_file_make_exactly_one_video(service: Service) -> None:
    stored = await service.upload()
    results = await asyncio.gather(
        *(service.vod.videos.create_video(service.user_id, stored.id) for _ in range(CONCURRENT)),
        return_exceptions=True,
    )
    created = [r for r in results if isinstance(r, Video)]
    refused = [r for r in results if isinstance(r, AlreadyInLibrary)]
    assert (len(created), len(refused)) == (1, CONCURRENT - 1), results
    async with service.uow() as uow:
        assert [v.id for v in await uow.videos.find(VideoQuery(service.user_id), 0, 100)] == [created[0].id]
        linked = await uow.files.get(stored.id)
    assert linked is not None and linked.video_id == created[0].id


async def test_a_batch_delete_with_one_bad_id_changes_nothing(service: Service) -> None:
    first, second = await service.ready_video(), await service.ready_video()
    await service.vod.transcoding.start_transcode(service.user_id, first.id, 1)
    async with service.uow() as uow:
        before = await uow.videos.get_many([first.id, second.id])
        files_before = await uow.files.live_for_video(first.id)

    with pytest.raises(NotFound):
        await service.vod.videos.delete_videos(service.user_id, [first.id, second.id, "nosuchvideo"])

    async with service.uow() as uow:
        assert await uow.videos.get_many([first.id, second.id]) == before
        assert all(v.status == VideoStatus.READY for v in before)
        assert await uow.files.live_for_video(first.id) == files_before
        live = await uow.play_sets.live_for_videos([first.id])
    assert [p.status for p in live] == [PlaySetStatus.INITIAL]


async def test_two_connections_to_one_sqlite_file_wait_for_each_other_instead_of_failing(tmp_path: Path) -> None:
    """Like ``vod serve`` and ``vod worker`` on one file: no "database is locked", still exactly one winner."""
    url = sqlite_url(str(tmp_path))
    first, second = TortoiseDatabase(url), TortoiseDatabase(url)
    await first.connect()
    await second.connect()
    try:
        turns = itertools.cycle([first.unit_of_work, second.unit_of_work])
        reads = itertools.cycle([second.read_unit_of_work, first.read_unit_of_work])
        service = await build_service(lambda: next(turns)(), lambda: next(reads)())
        video = await service.ready_video()
        results = await asyncio.gather(
            *(service.vod.transcoding.start_transcode(service.user_id, video.id, 2) for _ in range(CONCURRENT)),
            return_exceptions=True,
        )
        assert sum(isinstance(r, PlaySet) for r in results) == 1, results
        assert sum(isinstance(r, TranscodeExists) for r in results) == CONCURRENT - 1, results
    finally:
        await first.close()
        await second.close()
