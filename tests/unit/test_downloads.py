"""``vod.downloads``: what a file URL serves, whose traffic it is, and its bytes through the storage port."""

from __future__ import annotations

import pytest

from tests.support.world import World, chunks_of
from vod_core.errors import NotFound


async def read_all(world: World, storage_id: str, start: int, length: int) -> bytes:
    download = await world.vod.downloads.open(storage_id)
    return b"".join([chunk async for chunk in world.vod.downloads.read(download, start, length)])


async def test_an_uploaded_file_is_served_by_anyone_and_charged_to_nobody(world: World) -> None:
    stored = await world.vod.uploads.upload(world.alice, "notes.txt", chunks_of(b"0123456789"))
    download = await world.vod.downloads.open(stored.id)
    assert (download.size, download.content_type, download.video_id) == (10, "text/plain", "")
    assert await read_all(world, stored.id, 3, 4) == b"3456"


async def test_a_videos_files_are_charged_to_the_video(world: World) -> None:
    video_id = await world.video(world.alice)
    video = (await world.vod.videos.get_video(world.alice, video_id)).video
    original = await world.vod.downloads.open(video.storage_id)
    cover = await world.vod.downloads.open(video.thumb_storage_id)
    assert (original.video_id, cover.video_id) == (video_id, video_id)
    assert cover.content_type == "image/jpeg"


async def test_deleted_files_and_files_whose_bytes_are_gone_are_not_found(world: World) -> None:
    video_id = await world.video(world.alice)
    video = (await world.vod.videos.get_video(world.alice, video_id)).video
    await world.vod.videos.delete_videos(world.alice, [video_id])
    with pytest.raises(NotFound):
        await world.vod.downloads.open(video.storage_id)
    stored = await world.vod.uploads.upload(world.alice, "a.mp4", chunks_of(b"abc"))
    await world.vod.ctx.storage.delete(stored.id)
    with pytest.raises(NotFound):
        await world.vod.downloads.open(stored.id)


@pytest.mark.parametrize(("start", "length"), [(-1, 1), (0, 11), (10, 1), (5, -1)])
async def test_a_range_outside_the_file_is_a_programming_error(world: World, start: int, length: int) -> None:
    stored = await world.vod.uploads.upload(world.alice, "a.mp4", chunks_of(b"0123456789"))
    download = await world.vod.downloads.open(stored.id)
    with pytest.raises(ValueError, match="outside the file"):
        world.vod.downloads.read(download, start, length)
