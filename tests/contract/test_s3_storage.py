"""S3Storage's own promises, against a real S3-protocol server (moto on loopback).

The contract every adapter keeps is in test_object_storage.py (run over S3
too); here: where objects lie in the bucket, multipart uploads that never
outlive a failed write and an unreachable store failing as StorageUnavailable.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import obstore
import pytest

from adapters.storage.s3 import PART_SIZE, S3Storage, open_s3_store
from tests.contract.test_object_storage import MiB, chunks, digest, from_pattern, pattern, read, s3_storage
from tests.support.s3 import ACCESS_KEY, REGION, SECRET_KEY, S3Server
from vod_core.errors import NotFound, StorageUnavailable, UploadTooLarge


@pytest.fixture
def storage(s3_server: S3Server, s3_bucket: str, tmp_path: Path) -> S3Storage:
    return s3_storage(s3_server, s3_bucket, tmp_path / "cache")




async def test_objects_lie_under_the_prefix_and_only_objects_are_listed(
    s3_server: S3Server, s3_bucket: str, tmp_path: Path
) -> None:
    storage = s3_storage(s3_server, s3_bucket, tmp_path / "cache", prefix="deploy/one")
    await storage.write("k1", chunks([b"abc"]))
    neighbour = open_s3_store(
        s3_bucket,
        endpoint_url=s3_server.endpoint_url,
        region=REGION,
        access_key_id=ACCESS_KEY,
        secret_access_key=SECRET_KEY,
    )
    # What another adapter (resumable uploads) keeps beside the objects, and a stray name in objects/.
    await obstore.put_async(neighbour, "deploy/one/tus/u1", b"partial")
    await obstore.put_async(neighbour, "deploy/one/objects/not.an.id", b"?")
    assert sorted(s3_server.keys(s3_bucket)) == [
        "deploy/one/objects/k1",
        "deploy/one/objects/not.an.id",
        "deploy/one/tus/u1",
    ]
    later = datetime.now(UTC) + timedelta(minutes=1)
    assert [key async for key in storage.keys_older_than(later)] == ["k1"]


@pytest.mark.parametrize("key", ["../escape", "a/b", "", ".hidden", "x" * 200, "objects/k1"])
async def test_path_like_keys_are_refused(storage: S3Storage, s3_server: S3Server, s3_bucket: str, key: str) -> None:
    with pytest.raises(NotFound):
        await storage.write(key, chunks([b"x"]))
    with pytest.raises(NotFound):
        await storage.stat(key)
    with pytest.raises(NotFound):
        await read(storage, key, 0, 1)
    with pytest.raises(NotFound):
        await storage.local_path(key)
    assert not await storage.exists(key)
    await storage.delete(key)
    assert s3_server.keys(s3_bucket) == []


async def test_stat_reports_the_stores_etag_without_quotes_and_utc(storage: S3Storage) -> None:
    await storage.write("k1", chunks([b"abc"]))
    info = await storage.stat("k1")
    assert info.etag == hashlib.md5(b"abc").hexdigest()  # a single PUT's ETag is the MD5 of the bytes
    assert info.last_modified.utcoffset() == timedelta(0)
    assert abs(info.last_modified - datetime.now(UTC)) < timedelta(minutes=1)


async def test_a_multipart_write_is_read_back_whole(storage: S3Storage) -> None:
    size = 2 * PART_SIZE + 12_345
    assert await storage.write("k1", from_pattern(size)) == size
    assert (await storage.stat("k1")).size == size
    assert digest(iter([await read(storage, "k1", 0, size)])) == digest(pattern(size))
    edge = PART_SIZE - 3  # a range across the boundary of the first two parts
    whole = b"".join(pattern(size))
    assert await read(storage, "k1", edge, 10) == whole[edge : edge + 10]
    assert await read(storage, "k1", size - 5, 100) == whole[-5:]


async def test_a_large_imported_file_goes_up_in_parts_and_comes_back_whole(storage: S3Storage, tmp_path: Path) -> None:
    size = 2 * PART_SIZE + 7
    source = tmp_path / "rendition.mp4"
    with source.open("wb") as handle:
        for chunk in pattern(size):
            handle.write(chunk)
    assert await storage.import_file("r1", str(source)) == size
    assert (await storage.stat("r1")).etag.endswith("-3")  # S3's ETag of a multipart object names its parts
    assert digest(iter([await read(storage, "r1", 0, size)])) == digest(pattern(size))
    cached = Path(await storage.local_path("r1"))
    assert digest(iter([cached.read_bytes()])) == digest(pattern(size))


async def test_a_multipart_write_over_max_bytes_keeps_nothing_not_even_parts(
    storage: S3Storage, s3_server: S3Server, s3_bucket: str
) -> None:
    limit = PART_SIZE + 3 * MiB
    with pytest.raises(UploadTooLarge):
        await storage.write("k1", from_pattern(3 * PART_SIZE), max_bytes=limit)
    assert s3_server.keys(s3_bucket) == []
    assert s3_server.multipart_uploads(s3_bucket) == []
    assert await storage.write("k1", from_pattern(limit), max_bytes=limit) == limit


async def test_a_source_failing_mid_way_aborts_the_multipart_upload(
    storage: S3Storage, s3_server: S3Server, s3_bucket: str
) -> None:
    async def broken() -> AsyncIterator[bytes]:
        for index, chunk in enumerate(pattern(3 * PART_SIZE)):
            if index == 2 * PART_SIZE // MiB:  # two whole parts were handed to the store
                raise ConnectionResetError("client went away")
            yield chunk

    with pytest.raises(ConnectionResetError):
        await storage.write("k1", broken())
    assert s3_server.keys(s3_bucket) == []
    assert s3_server.multipart_uploads(s3_bucket) == []


async def test_a_cancelled_write_aborts_the_multipart_upload(
    storage: S3Storage, s3_server: S3Server, s3_bucket: str
) -> None:
    """A client that disconnects mid-upload cancels the handler: the upload must not stay open in the bucket."""
    stalled = asyncio.Event()

    async def stalls_after_two_parts() -> AsyncIterator[bytes]:
        for index, chunk in enumerate(pattern(3 * PART_SIZE)):
            if index == 2 * PART_SIZE // MiB:
                stalled.set()
                await asyncio.Event().wait()  # a client that sends nothing more
            yield chunk

    write = asyncio.ensure_future(storage.write("k1", stalls_after_two_parts()))
    await stalled.wait()
    write.cancel()
    with pytest.raises(asyncio.CancelledError):
        await write
    assert s3_server.keys(s3_bucket) == []
    assert s3_server.multipart_uploads(s3_bucket) == []


async def test_concurrent_multipart_writers_of_one_key_leave_one_whole_version(storage: S3Storage) -> None:
    size = PART_SIZE + MiB
    await asyncio.gather(*(storage.write("k1", from_pattern(size, seed)) for seed in range(3)))
    stored = digest(iter([await read(storage, "k1", 0, size)]))
    assert stored in {digest(pattern(size, seed)) for seed in range(3)}


@pytest.fixture
def unreachable(tmp_path: Path) -> S3Storage:
    return s3_storage(S3Server.nowhere(), "vod-unreachable", tmp_path / "cache")


async def _list(storage: S3Storage) -> list[str]:
    return [key async for key in storage.keys_older_than(datetime.now(UTC))]


async def _import(storage: S3Storage, tmp_path: Path) -> int:
    source = tmp_path / "cover.jpg"
    source.write_bytes(b"jpeg")
    return await storage.import_file("k1", str(source))


ATTEMPTS: dict[str, Callable[[S3Storage, Path], Awaitable[object]]] = {
    "write": lambda s, _: s.write("k1", chunks([b"abc"])),
    "multipart write": lambda s, _: s.write("k1", from_pattern(PART_SIZE + 1)),
    "import_file": _import,
    "stat": lambda s, _: s.stat("k1"),
    "exists": lambda s, _: s.exists("k1"),
    "delete": lambda s, _: s.delete("k1"),
    "local_path": lambda s, _: s.local_path("k1"),
    "open_range": lambda s, _: read(s, "k1", 0, 10),
    "empty range": lambda s, _: read(s, "k1", 0, 0),
    "keys_older_than": lambda s, _: _list(s),
}


@pytest.mark.parametrize("operation", ATTEMPTS)
async def test_an_unreachable_store_is_storage_unavailable(
    unreachable: S3Storage, tmp_path: Path, operation: str
) -> None:
    with pytest.raises(StorageUnavailable, match="object store failure"):
        await ATTEMPTS[operation](unreachable, tmp_path)
