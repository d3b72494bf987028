"""The tus use cases over the memory adapters, with the clock injected (expiry, leases)."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from adapters.partial_uploads import MemoryPartialUploads
from tests.support.world import World, new_world
from vod_core.errors import (
    AlreadyInLibrary,
    ChecksumMismatch,
    ChunkTooLong,
    NotFound,
    UploadConflict,
    UploadExpired,
    UploadTooLarge,
    VideoNotReady,
)
from vod_core.ports.storage import ObjectStorage
from vod_core.resumable import LEASE, UPLOAD_LIFETIME
from vod_core.services import resumable_uploads
from vod_core.services.resumable_uploads import Chunk

DATA = bytes(range(256)) * 40  # 10240 bytes


async def body(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


def chunk(offset: int, data: bytes, sha1: bytes | None = None) -> Chunk:
    return Chunk(offset, body(data), sha1, len(data))


@pytest.fixture
def partials() -> MemoryPartialUploads:
    return MemoryPartialUploads()


@pytest.fixture
async def tus_world(partials: MemoryPartialUploads) -> World:
    return await new_world(partial_uploads=partials)


async def test_chunks_add_up_to_a_stored_file_with_the_upload_id(tus_world: World) -> None:
    uploads = tus_world.vod.resumable_uploads
    created = await uploads.create(tus_world.alice, len(DATA), "dir/holiday.mp4", "filename aG9saWRheS5tcDQ=")
    assert (created.received, created.filename, created.finished) == (0, "holiday.mp4", False)
    assert created.expires_at - created.created_at == UPLOAD_LIFETIME
    half = await uploads.append(tus_world.alice, created.id, chunk(0, DATA[:4000]))
    assert half.received == 4000
    assert (await uploads.get(tus_world.alice, created.id)).received == 4000
    done = await uploads.append(tus_world.alice, created.id, chunk(4000, DATA[4000:]))
    assert (done.received, done.finished) == (len(DATA), True)
    stored = await tus_world.vod.uploads.get_file(tus_world.alice, created.id)
    assert (stored.size, stored.filename, stored.content_type) == (len(DATA), "holiday.mp4", "video/mp4")
    assert tus_world.vod.ctx.storage.objects[created.id] == DATA  # type: ignore[attr-defined]


async def test_a_video_of_an_unfinished_upload_is_not_ready_yet(tus_world: World) -> None:
    uploads = tus_world.vod.resumable_uploads
    created = await uploads.create(tus_world.alice, 10, "clip.mp4")
    with pytest.raises(VideoNotReady):
        await tus_world.vod.videos.create_video(tus_world.alice, created.id)
    with pytest.raises(NotFound):
        await tus_world.vod.videos.create_video(tus_world.bob, created.id)
    await uploads.append(tus_world.alice, created.id, chunk(0, b"0123456789"))
    video = await tus_world.vod.videos.create_video(tus_world.alice, created.id)
    assert video.storage_id == created.id


async def test_a_wrong_offset_is_a_conflict_and_changes_nothing(tus_world: World) -> None:
    uploads = tus_world.vod.resumable_uploads
    created = await uploads.create(tus_world.alice, 100)
    await uploads.append(tus_world.alice, created.id, chunk(0, b"x" * 10))
    for offset in (0, 5, 11):
        with pytest.raises(UploadConflict):
            await uploads.append(tus_world.alice, created.id, chunk(offset, b"y"))
    assert (await uploads.get(tus_world.alice, created.id)).received == 10


async def test_a_checksum_mismatch_discards_the_chunk(tus_world: World, partials: MemoryPartialUploads) -> None:
    uploads = tus_world.vod.resumable_uploads
    created = await uploads.create(tus_world.alice, 8)
    await uploads.append(tus_world.alice, created.id, chunk(0, b"abcd", hashlib.sha1(b"abcd").digest()))
    with pytest.raises(ChecksumMismatch):
        await uploads.append(tus_world.alice, created.id, chunk(4, b"efgh", hashlib.sha1(b"other").digest()))
    assert (await uploads.get(tus_world.alice, created.id)).received == 4
    assert partials.uploads[created.id] == b"abcd"
    done = await uploads.append(tus_world.alice, created.id, chunk(4, b"EFGH", hashlib.sha1(b"EFGH").digest()))
    assert done.finished
    assert tus_world.vod.ctx.storage.objects[created.id] == b"abcdEFGH"  # type: ignore[attr-defined]


async def test_limits_refuse_uploads_and_chunks_that_are_too_large(tus_world: World) -> None:
    uploads = tus_world.vod.resumable_uploads
    with pytest.raises(UploadTooLarge):
        await uploads.create(tus_world.alice, uploads.size_limit + 1)
    created = await uploads.create(tus_world.alice, 4)
    with pytest.raises(ChunkTooLong):
        await uploads.append(tus_world.alice, created.id, chunk(0, b"12345"))
    with pytest.raises(ChunkTooLong):  # no declared length: found out while streaming
        await uploads.append(tus_world.alice, created.id, Chunk(0, body(b"123", b"45")))
    assert (await uploads.get(tus_world.alice, created.id)).received == 0


async def test_a_body_that_breaks_off_keeps_what_arrived_unless_checksummed(tus_world: World) -> None:
    uploads = tus_world.vod.resumable_uploads
    created = await uploads.create(tus_world.alice, 100)

    async def breaking(data: bytes) -> AsyncIterator[bytes]:
        yield data
        raise ConnectionResetError("the client went away")

    with pytest.raises(ConnectionResetError):
        await uploads.append(tus_world.alice, created.id, Chunk(0, breaking(b"x" * 30)))
    assert (await uploads.get(tus_world.alice, created.id)).received == 30
    with pytest.raises(ConnectionResetError):
        await uploads.append(tus_world.alice, created.id, Chunk(30, breaking(b"y" * 30), hashlib.sha1().digest()))
    assert (await uploads.get(tus_world.alice, created.id)).received == 30
    assert (await uploads.append(tus_world.alice, created.id, chunk(30, b"z"))).received == 31


async def test_a_patch_racing_another_on_the_same_upload_is_a_conflict(tus_world: World) -> None:
    uploads = tus_world.vod.resumable_uploads
    created = await uploads.create(tus_world.alice, 10)
    streaming, finish = asyncio.Event(), asyncio.Event()

    async def slow() -> AsyncIterator[bytes]:
        yield b"12345"
        streaming.set()
        await finish.wait()
        yield b"67890"

    first = asyncio.create_task(uploads.append(tus_world.alice, created.id, Chunk(0, slow())))
    await streaming.wait()
    with pytest.raises(UploadConflict):
        await uploads.append(tus_world.alice, created.id, chunk(0, b"abcdefghij"))
    with pytest.raises(UploadConflict):
        await uploads.terminate(tus_world.alice, created.id)
    finish.set()
    assert (await first).finished
    assert tus_world.vod.ctx.storage.objects[created.id] == b"1234567890"  # type: ignore[attr-defined]


async def test_a_lease_left_by_a_dead_request_lapses(tus_world: World) -> None:
    uploads = tus_world.vod.resumable_uploads
    created = await uploads.create(tus_world.alice, 10)
    stuck = asyncio.Event()

    async def hangs() -> AsyncIterator[bytes]:
        yield b"12"
        stuck.set()
        await asyncio.Event().wait()
        yield b""

    dead = asyncio.create_task(uploads.append(tus_world.alice, created.id, Chunk(0, hangs())))
    await stuck.wait()
    with pytest.raises(UploadConflict):
        await uploads.append(tus_world.alice, created.id, chunk(0, b"x"))
    tus_world.clock.advance(LEASE)
    assert (await uploads.append(tus_world.alice, created.id, chunk(0, b"abc"))).received == 3
    dead.cancel()
    with pytest.raises(asyncio.CancelledError):
        await dead
    assert (await uploads.get(tus_world.alice, created.id)).received == 3  # the dead request recorded nothing


async def test_terminating_removes_the_upload_and_its_bytes(tus_world: World, partials: MemoryPartialUploads) -> None:
    uploads = tus_world.vod.resumable_uploads
    created = await uploads.create(tus_world.alice, 10)
    await uploads.append(tus_world.alice, created.id, chunk(0, b"12345"))
    with pytest.raises(NotFound):
        await uploads.terminate(tus_world.bob, created.id)
    await uploads.terminate(tus_world.alice, created.id)
    assert created.id not in partials.uploads
    with pytest.raises(NotFound):
        await uploads.get(tus_world.alice, created.id)
    with pytest.raises(NotFound):
        await uploads.terminate(tus_world.alice, created.id)


async def test_terminating_a_complete_upload_removes_its_file_unless_a_video_uses_it(tus_world: World) -> None:
    uploads = tus_world.vod.resumable_uploads
    unused = await uploads.create(tus_world.alice, 3)
    await uploads.append(tus_world.alice, unused.id, chunk(0, b"abc"))
    await uploads.terminate(tus_world.alice, unused.id)
    with pytest.raises(NotFound):
        await tus_world.vod.uploads.get_file(tus_world.alice, unused.id)
    used = await uploads.create(tus_world.alice, 3)
    await uploads.append(tus_world.alice, used.id, chunk(0, b"abc"))
    await tus_world.vod.videos.create_video(tus_world.alice, used.id)
    with pytest.raises(AlreadyInLibrary):
        await uploads.terminate(tus_world.alice, used.id)
    assert (await tus_world.vod.uploads.get_file(tus_world.alice, used.id)).size == 3


async def test_unfinished_uploads_expire_after_a_day_and_the_sweep_removes_their_bytes(
    tus_world: World, partials: MemoryPartialUploads
) -> None:
    uploads = tus_world.vod.resumable_uploads
    unfinished = await uploads.create(tus_world.alice, 10)
    await uploads.append(tus_world.alice, unfinished.id, chunk(0, b"12345"))
    finished = await uploads.create(tus_world.alice, 2)
    await uploads.append(tus_world.alice, finished.id, chunk(0, b"ok"))
    assert await uploads.expire() == 0
    tus_world.clock.advance(UPLOAD_LIFETIME)
    with pytest.raises(UploadExpired):
        await uploads.get(tus_world.alice, unfinished.id)
    with pytest.raises(UploadExpired):
        await uploads.append(tus_world.alice, unfinished.id, chunk(5, b"67890"))
    with pytest.raises(NotFound):
        await tus_world.vod.videos.create_video(tus_world.alice, unfinished.id)
    assert await uploads.expire() == 2
    assert unfinished.id not in partials.uploads
    with pytest.raises(NotFound):
        await uploads.get(tus_world.alice, unfinished.id)
    assert (await tus_world.vod.uploads.get_file(tus_world.alice, finished.id)).size == 2  # the file lives on
    assert await uploads.expire() == 0


async def test_an_empty_upload_is_complete_at_creation(tus_world: World) -> None:
    created = await tus_world.vod.resumable_uploads.create(tus_world.alice, 0, "empty.bin")
    assert created.finished
    assert (await tus_world.vod.uploads.get_file(tus_world.alice, created.id)).size == 0


async def test_another_users_upload_is_not_found() -> None:
    world = await new_world()
    created = await world.vod.resumable_uploads.create(world.alice, 10)
    with pytest.raises(NotFound):
        await world.vod.resumable_uploads.get(world.bob, created.id)
    with pytest.raises(NotFound):
        await world.vod.resumable_uploads.append(world.bob, created.id, chunk(0, b"1"))


class SlowCompletion(MemoryPartialUploads):
    """Completion waits for ``resume``: a copy into object storage that outlasts the lease."""

    def __init__(self) -> None:
        super().__init__()
        self.completing, self.resume = asyncio.Event(), asyncio.Event()

    async def complete(self, upload_id: str, storage: ObjectStorage, key: str) -> int:
        self.completing.set()
        await self.resume.wait()
        return await super().complete(upload_id, storage, key)


async def test_a_completion_that_outlasts_the_lease_keeps_renewing_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resumable_uploads, "LEASE_RENEWAL", timedelta(milliseconds=10))
    partials = SlowCompletion()
    world = await new_world(partial_uploads=partials)
    uploads = world.vod.resumable_uploads
    created = await uploads.create(world.alice, 10)
    finishing = asyncio.create_task(uploads.append(world.alice, created.id, chunk(0, b"0123456789")))
    await partials.completing.wait()
    world.clock.advance(2 * LEASE)  # the lease taken for the last chunk has lapsed, unless renewed since

    async def renewed() -> None:
        # The renewal shows only in the database: poll it (it runs every 10 ms of real time).
        while (lease_until := (await uploads.get(world.alice, created.id)).lease_until) is None or (  # noqa: ASYNC110
            lease_until <= world.clock.now()
        ):
            await asyncio.sleep(0.01)

    await asyncio.wait_for(renewed(), timeout=10)
    with pytest.raises(UploadConflict):  # a client retrying its last chunk cannot take the upload over
        await uploads.append(world.alice, created.id, chunk(0, b"abcdefghij"))
    partials.resume.set()
    assert (await finishing).finished
    assert world.vod.ctx.storage.objects[created.id] == b"0123456789"  # type: ignore[attr-defined]
