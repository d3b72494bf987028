"""``vod.downloads`` / ``vod.access``: who may fetch a file URL (API.md C1), whose traffic it is, its bytes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from tests.support.media_urls import signed_query
from tests.support.world import World, chunks_of
from vod_core.errors import AccessDenied, NotFound
from vod_core.services.access import Audience, MediaQuery
from vod_core.video import SharedState

UNSIGNED = MediaQuery()


async def signed(world: World, video_id: str) -> MediaQuery:
    """The query of the video's URLs as ``get_video`` hands them out to its owner."""
    details = await world.vod.videos.get_video(world.alice, video_id)
    return signed_query(world.vod.ctx.links.file_url(details.video.storage_id, details.grant))


async def read_all(world: World, storage_id: str, start: int, length: int) -> bytes:
    download = await world.vod.downloads.open(storage_id, UNSIGNED, world.alice)
    return b"".join([chunk async for chunk in world.vod.downloads.read(download, start, length)])


async def test_an_unlinked_upload_is_served_to_its_owner_only_and_charged_to_nobody(world: World) -> None:
    stored = await world.vod.uploads.upload(world.alice, "notes.mp4", chunks_of(b"0123456789"))
    download = await world.vod.downloads.open(stored.id, UNSIGNED, world.alice)
    assert (download.size, download.content_type, download.video_id) == (10, "video/mp4", "")
    assert download.permit.audience is Audience.OWNER
    assert await read_all(world, stored.id, 3, 4) == b"3456"
    for someone_else in (None, world.bob):
        with pytest.raises(NotFound):  # not 403: its existence is not revealed
            await world.vod.downloads.open(stored.id, UNSIGNED, someone_else)


async def test_an_unlinked_upload_expires_for_its_owner_too(world: World) -> None:
    stored = await world.vod.uploads.upload(world.alice, "a.mp4", chunks_of(b"abc"))
    world.clock.advance(timedelta(seconds=world.vod.ctx.unlinked_ttl_s))
    with pytest.raises(NotFound):
        await world.vod.downloads.open(stored.id, UNSIGNED, world.alice)


async def test_a_private_videos_files_need_its_signature_and_are_charged_to_it(world: World) -> None:
    video_id = await world.video(world.alice)
    video = (await world.vod.videos.get_video(world.alice, video_id)).video
    query = await signed(world, video_id)
    original = await world.vod.downloads.open(video.storage_id, query)
    cover = await world.vod.downloads.open(video.thumb_storage_id, query)
    assert (original.video_id, cover.video_id) == (video_id, video_id)
    assert cover.content_type == "image/jpeg"
    assert original.permit.audience is Audience.SIGNED
    assert original.permit.expires == int(query.expires or 0)
    for owner in (None, world.alice):  # the API key does not stand in for a signature
        with pytest.raises(AccessDenied):
            await world.vod.downloads.open(video.storage_id, UNSIGNED, owner)


@pytest.mark.parametrize(
    "alter",
    [
        lambda q: MediaQuery(q.expires, None),
        lambda q: MediaQuery(None, q.signature),
        lambda q: MediaQuery(str(int(q.expires or 0) + 1), q.signature),
        lambda q: MediaQuery(q.expires, "0" * 64),
        lambda q: MediaQuery(q.expires, (q.signature or "").upper()),
        lambda q: MediaQuery("0" + (q.expires or ""), q.signature),
        lambda q: MediaQuery(q.expires, ""),
    ],
    ids=["no signature", "no expires", "later expiry", "other signature", "upper case", "leading zero", "emptied"],
)
async def test_an_altered_signature_is_refused_even_for_a_public_video(
    world: World, alter: Callable[[MediaQuery], MediaQuery]
) -> None:
    video_id = await world.video(world.alice)
    await world.vod.sharing.set_video_password(world.alice, video_id, int(SharedState.PUBLIC))
    storage_id = (await world.vod.videos.get_video(world.alice, video_id)).video.storage_id
    altered = alter(await signed(world, video_id))
    with pytest.raises(AccessDenied):
        await world.vod.downloads.open(storage_id, altered)


async def test_a_signature_works_until_it_expires(world: World) -> None:
    video_id = await world.video(world.alice)
    storage_id = (await world.vod.videos.get_video(world.alice, video_id)).video.storage_id
    query = await signed(world, video_id)
    world.clock.advance(timedelta(seconds=world.vod.ctx.url_ttl_s - 5))
    await world.vod.downloads.open(storage_id, query)
    world.clock.advance(timedelta(seconds=10))
    with pytest.raises(AccessDenied):
        await world.vod.downloads.open(storage_id, query)


async def test_another_videos_signature_is_refused(world: World) -> None:
    mine, other = await world.video(world.alice), await world.video(world.alice)
    storage_id = (await world.vod.videos.get_video(world.alice, mine)).video.storage_id
    with pytest.raises(AccessDenied):
        await world.vod.downloads.open(storage_id, await signed(world, other))


async def test_a_public_video_is_served_unsigned_until_it_stops_being_public(world: World) -> None:
    video_id = await world.video(world.alice)
    storage_id = (await world.vod.videos.get_video(world.alice, video_id)).video.storage_id
    await world.vod.sharing.set_video_password(world.alice, video_id, int(SharedState.PUBLIC))
    assert (await world.vod.downloads.open(storage_id, UNSIGNED)).permit.audience is Audience.PUBLIC
    await world.vod.sharing.set_video_password(world.alice, video_id, int(SharedState.PASSWORD), "pw")
    with pytest.raises(AccessDenied):
        await world.vod.downloads.open(storage_id, UNSIGNED)
    assert (await world.vod.access.video_media(video_id, await signed(world, video_id))).audience is Audience.SIGNED


async def test_deleted_files_and_files_whose_bytes_are_gone_are_not_found(world: World) -> None:
    video_id = await world.video(world.alice)
    video = (await world.vod.videos.get_video(world.alice, video_id)).video
    query = await signed(world, video_id)
    await world.vod.videos.delete_videos(world.alice, [video_id])
    with pytest.raises(NotFound):  # even with a signature that has not expired
        await world.vod.downloads.open(video.storage_id, query)
    with pytest.raises(NotFound):
        await world.vod.access.video_media(video_id, query)
    stored = await world.vod.uploads.upload(world.alice, "a.mp4", chunks_of(b"abc"))
    await world.vod.ctx.storage.delete(stored.id)
    with pytest.raises(NotFound):
        await world.vod.downloads.open(stored.id, UNSIGNED, world.alice)


@pytest.mark.parametrize("storage_id", ["", "x" * 33, "nosuchfile", "bad\x00id"])
async def test_a_file_url_that_names_no_file_is_not_found(world: World, storage_id: str) -> None:
    with pytest.raises(NotFound):
        await world.vod.downloads.open(storage_id, UNSIGNED, world.alice)


@pytest.mark.parametrize(
    ("filename", "served", "inline"),
    [
        ("x.html", "application/octet-stream", False),
        ("x.svg", "application/octet-stream", False),
        ("x.js", "application/octet-stream", False),
        ("x.mp4", "video/mp4", True),
        ("x.webm", "video/webm", True),
        ("x.png", "image/png", True),
        ("x.webp", "image/webp", True),
    ],
)
async def test_only_media_types_are_served_inline(world: World, filename: str, served: str, inline: bool) -> None:
    stored = await world.vod.uploads.upload(world.alice, filename, chunks_of(b"<script>alert(1)</script>"))
    download = await world.vod.downloads.open(stored.id, UNSIGNED, world.alice)
    assert (download.content_type, download.inline, download.filename) == (served, inline, filename)


@pytest.mark.parametrize(("start", "length"), [(-1, 1), (0, 11), (10, 1), (5, -1)])
async def test_a_range_outside_the_file_is_a_programming_error(world: World, start: int, length: int) -> None:
    stored = await world.vod.uploads.upload(world.alice, "a.mp4", chunks_of(b"0123456789"))
    download = await world.vod.downloads.open(stored.id, UNSIGNED, world.alice)
    with pytest.raises(ValueError, match="outside the file"):
        world.vod.downloads.read(download, start, length)
