"""The resumable-upload repository (migration m0009) and the partial-upload stores, over every adapter.

The repository runs against memory, SQLite and PostgreSQL; the byte stores
against local files, memory and S3 (moto's server, 64 KiB segments so that
every test crosses many of them). Races are decided by the repository's
compare-and-sets, so those are what these tests pin down.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.memory.storage import MemoryStorage
from adapters.partial_uploads import LocalPartialUploads, MemoryPartialUploads
from adapters.partial_uploads.s3 import S3PartialUploads
from adapters.storage import LocalStorage
from tests.contract.conftest import ReadUowFactory, UowFactory
from tests.support.s3 import S3Server, obstore_s3
from vod_core.errors import NotFound
from vod_core.ports.partial_uploads import PartialUploads
from vod_core.ports.storage import ObjectStorage
from vod_core.resumable import REMOVAL, ResumableUpload

T0 = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
LEASE = timedelta(seconds=60)
S3_SEGMENT_BYTES = 64 * 1024


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def upload(upload_id: str = "up1", **fields: object) -> ResumableUpload:
    values: dict[str, object] = {
        "id": upload_id,
        "user_id": "u1",
        "upload_length": 100,
        "received": 0,
        "filename": "clip.mp4",
        "metadata": "filename Y2xpcC5tcDQ=",
        "created_at": T0,
        "expires_at": at(86400),
    }
    values.update(fields)
    return ResumableUpload(**values)  # type: ignore[arg-type]


async def add(uow_factory: UowFactory, *uploads: ResumableUpload) -> None:
    async with uow_factory() as uow:
        for item in uploads:
            await uow.resumable_uploads.add(item)
        await uow.commit()


async def get(read_uow_factory: ReadUowFactory, upload_id: str = "up1") -> ResumableUpload | None:
    async with read_uow_factory() as uow:
        return await uow.resumable_uploads.get(upload_id)


async def claim(uow_factory: UowFactory, offset: int, token: str, now: datetime, upload_id: str = "up1") -> bool:
    async with uow_factory() as uow:
        claimed = await uow.resumable_uploads.claim(upload_id, offset, token, now, now + LEASE)
        await uow.commit()
    return claimed


async def release(uow_factory: UowFactory, token: str, received: int, finished: bool = False) -> bool:
    async with uow_factory() as uow:
        released = await uow.resumable_uploads.release("up1", token, received, finished)
        await uow.commit()
    return released


async def test_an_upload_reads_back_as_written(uow_factory: UowFactory, read_uow_factory: ReadUowFactory) -> None:
    await add(uow_factory, upload(upload_length=10 * 1024**3))
    assert await get(read_uow_factory) == upload(upload_length=10 * 1024**3)
    assert await get(read_uow_factory, "nope") is None


async def test_a_claim_needs_the_exact_offset_and_no_live_lease(
    uow_factory: UowFactory, read_uow_factory: ReadUowFactory
) -> None:
    await add(uow_factory, upload())
    assert not await claim(uow_factory, 5, "t1", at(0))
    assert await claim(uow_factory, 0, "t1", at(0))
    assert not await claim(uow_factory, 0, "t2", at(59))  # t1 still holds it
    assert (await get(read_uow_factory)).lease == "t1"  # type: ignore[union-attr]
    assert await claim(uow_factory, 0, "t2", at(60))  # t1's lease lapsed (its process died)
    assert not await release(uow_factory, "t1", 40)  # t1 lost it: its offset is not recorded
    assert await release(uow_factory, "t2", 40)
    stored = await get(read_uow_factory)
    assert stored is not None and (stored.received, stored.lease, stored.lease_until) == (40, "", None)
    assert not await claim(uow_factory, 0, "t3", at(61))
    assert await claim(uow_factory, 40, "t3", at(61))


async def test_renewing_keeps_the_lease_only_for_its_holder(uow_factory: UowFactory) -> None:
    await add(uow_factory, upload())
    assert await claim(uow_factory, 0, "t1", at(0))
    async with uow_factory() as uow:
        assert await uow.resumable_uploads.renew("up1", "t1", at(100))
        assert not await uow.resumable_uploads.renew("up1", "t2", at(200))
        await uow.commit()
    assert not await claim(uow_factory, 0, "t2", at(99))
    assert await claim(uow_factory, 0, "t2", at(100))


async def test_finished_and_expired_uploads_cannot_be_claimed(uow_factory: UowFactory) -> None:
    await add(uow_factory, upload(), upload("up2", expires_at=at(10)))
    assert await claim(uow_factory, 0, "t1", at(0))
    assert await release(uow_factory, "t1", 100, finished=True)
    assert not await claim(uow_factory, 100, "t2", at(1))
    assert not await claim(uow_factory, 0, "t3", at(10), upload_id="up2")
    assert await claim(uow_factory, 0, "t3", at(9), upload_id="up2")


async def test_exactly_one_of_racing_claims_wins(uow_factory: UowFactory) -> None:
    await add(uow_factory, upload())
    results = await asyncio.gather(*(claim(uow_factory, 0, f"t{i}", at(0)) for i in range(8)))
    assert results.count(True) == 1


async def test_removal_waits_for_a_live_lease_and_is_never_claimed_over(
    uow_factory: UowFactory, read_uow_factory: ReadUowFactory
) -> None:
    await add(uow_factory, upload())
    assert await claim(uow_factory, 0, "t1", at(0))
    async with uow_factory() as uow:
        assert not await uow.resumable_uploads.claim_for_removal("up1", at(1))
        assert await uow.resumable_uploads.claim_for_removal("up1", at(60))
        assert await uow.resumable_uploads.claim_for_removal("up1", at(61))  # a crashed removal can finish
        await uow.commit()
    assert (await get(read_uow_factory)).lease == REMOVAL  # type: ignore[union-attr]
    assert not await claim(uow_factory, 0, "t2", at(10**6))
    async with uow_factory() as uow:
        await uow.resumable_uploads.delete("up1")
        await uow.resumable_uploads.delete("up1")
        await uow.commit()
    assert await get(read_uow_factory) is None


async def test_ended_before_lists_uploads_by_expiry(uow_factory: UowFactory) -> None:
    await add(
        uow_factory,
        upload("late", expires_at=at(300)),
        upload("early", expires_at=at(100), finished=True, received=100),
        upload("mid", expires_at=at(200)),
    )
    async with uow_factory() as uow:
        assert [u.id for u in await uow.resumable_uploads.ended_before(at(250), 10)] == ["early", "mid"]
        assert [u.id for u in await uow.resumable_uploads.ended_before(at(300), 1)] == ["early"]
        assert await uow.resumable_uploads.ended_before(at(99), 10) == []


# The byte stores -------------------------------------------------------------------------------------------


@pytest.fixture(params=["local", "memory", "s3"])
def partials(request: pytest.FixtureRequest, tmp_path: Path) -> PartialUploads:
    if request.param == "memory":
        return MemoryPartialUploads()
    if request.param == "s3":
        server: S3Server = request.getfixturevalue("s3_server")
        store = obstore_s3(server, request.getfixturevalue("s3_bucket"))
        return S3PartialUploads(store, prefix="vod", segment_bytes=S3_SEGMENT_BYTES)
    return LocalPartialUploads(str(tmp_path / "uploads"))


@pytest.fixture(params=["local", "memory"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStorage:
    if request.param == "memory":
        return MemoryStorage()
    return LocalStorage(str(tmp_path / "storage"))


async def chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def read_all(storage: ObjectStorage, key: str) -> bytes:
    return b"".join([part async for part in storage.open_range(key, 0, 1 << 40)])


async def test_appends_at_an_offset_drop_what_lay_past_it(partials: PartialUploads, storage: ObjectStorage) -> None:
    await partials.create("up1")
    assert await partials.append("up1", 0, chunks(b"abc", b"def")) == 6
    assert await partials.append("up1", 4, chunks(b"XY", b"Z" * 3_000_000)) == 3_000_002
    assert await partials.stored_length("up1") == 3_000_006
    await partials.truncate("up1", 5)
    assert await partials.stored_length("up1") == 5
    assert await partials.complete("up1", storage, "up1") == 5
    assert await read_all(storage, "up1") == b"abcdX"
    assert await partials.complete("up1", storage, "up1") == 5  # again, after a crash that followed the move
    with pytest.raises(NotFound):
        await partials.stored_length("up1")


async def test_an_interrupted_append_keeps_what_it_stored(partials: PartialUploads) -> None:
    async def breaking() -> AsyncIterator[bytes]:
        yield b"a" * 2_500_000
        yield b"b" * 10
        raise ConnectionResetError("client went away")

    await partials.create("up1")
    with pytest.raises(ConnectionResetError):
        await partials.append("up1", 0, breaking())
    assert await partials.stored_length("up1") == 2_500_010


async def test_removed_uploads_are_gone(partials: PartialUploads) -> None:
    await partials.create("up1")
    await partials.append("up1", 0, chunks(b"abc"))
    await partials.remove("up1")
    await partials.remove("up1")
    with pytest.raises(NotFound):
        await partials.append("up1", 0, chunks(b"x"))
