"""ObjectStorage: the same contract over every adapter (in memory, local files, S3), then LocalStorage's own promises.

Writes are whole or nothing, ``stat`` and ``open_range`` agree with what was
written at every edge, missing keys are :class:`NotFound` (deleting one is
not an error), concurrent writers leave one whole version, and a gibibyte
streams in and out of local files and S3 with flat memory.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.memory import storage as memory_storage
from adapters.memory.storage import MemoryStorage
from adapters.storage import LocalStorage, s3
from adapters.storage.local import LIST_BATCH, READ_CHUNK
from adapters.storage.s3 import S3Storage, open_s3_store
from tests.support.s3 import ACCESS_KEY, REGION, SECRET_KEY, S3Server
from vod_core.errors import NotFound, UploadTooLarge
from vod_core.ports.storage import ObjectStorage


async def chunks(parts: Iterable[bytes]) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def read(storage: ObjectStorage, key: str, start: int, length: int) -> bytes:
    return b"".join([chunk async for chunk in storage.open_range(key, start, length)])


def s3_storage(
    server: S3Server, bucket: str, cache_dir: Path, *, prefix: str = "", cache_bytes: int = 2**30
) -> S3Storage:
    """An S3Storage on ``bucket`` of the test server (moto), its cache under ``cache_dir``."""
    store = open_s3_store(
        bucket,
        prefix=prefix,
        endpoint_url=server.endpoint_url,
        region=REGION,
        access_key_id=ACCESS_KEY,
        secret_access_key=SECRET_KEY,
    )
    return S3Storage(store, cache_dir=str(cache_dir), cache_bytes=cache_bytes)


@pytest.fixture(params=["memory", "local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStorage:
    if request.param == "memory":
        return MemoryStorage()
    if request.param == "s3":
        server: S3Server = request.getfixturevalue("s3_server")
        return s3_storage(server, request.getfixturevalue("s3_bucket"), tmp_path / "cache")
    return LocalStorage(str(tmp_path / "storage"))


DATA = bytes(range(256)) * 4_000  # 1 000 000 bytes: several read chunks, the last one partial
MiB = 1024 * 1024


def pattern(size: int, seed: int = 0) -> Iterator[bytes]:
    """``size`` bytes in 1 MiB chunks, each different, made on the fly (never all held at once)."""
    block = hashlib.sha256(str(seed).encode()).digest() * (MiB // 32)
    for index, offset in enumerate(range(0, size, MiB)):
        yield (index.to_bytes(8, "big") + block[8:])[: min(MiB, size - offset)]


async def from_pattern(size: int, seed: int = 0, on_chunk: Callable[[], None] = lambda: None) -> AsyncIterator[bytes]:
    for chunk in pattern(size, seed):
        on_chunk()
        yield chunk


def digest(parts: Iterator[bytes]) -> str:
    hasher = hashlib.blake2b()
    for part in parts:
        hasher.update(part)
    return hasher.hexdigest()




async def test_stat_and_open_range_agree_with_what_was_written(storage: ObjectStorage) -> None:
    assert await storage.write("k1", chunks([DATA[:300_000], DATA[300_000:]])) == len(DATA)
    info = await storage.stat("k1")
    assert info.size == len(DATA)
    assert info.etag and '"' not in info.etag
    assert info.last_modified.utcoffset() is not None
    assert await read(storage, "k1", 0, len(DATA)) == DATA
    assert await read(storage, "k1", 0, 1) == DATA[:1]
    assert await read(storage, "k1", len(DATA) - 1, 1) == DATA[-1:]
    assert await read(storage, "k1", 1, len(DATA) - 2) == DATA[1:-1]
    assert await read(storage, "k1", 5, 0) == b""


CHUNK_BOUNDS: dict[type[ObjectStorage], int] = {
    MemoryStorage: memory_storage.READ_CHUNK,
    LocalStorage: READ_CHUNK,
    S3Storage: s3.READ_CHUNK,
}
"""The largest chunk each adapter's ``open_range`` promises (a remote store sends larger ones: fewer hops)."""


async def test_ranges_are_streamed_in_bounded_chunks(storage: ObjectStorage) -> None:
    bound = CHUNK_BOUNDS[type(storage)]
    data = DATA * (3 * bound // len(DATA) + 1)  # at least three chunks' worth
    await storage.write("k1", chunks([data]))
    sizes = [len(chunk) async for chunk in storage.open_range("k1", 0, len(data))]
    assert max(sizes) <= bound
    assert len(sizes) >= 3
    assert sum(sizes) == len(data)


async def test_a_range_past_the_end_stops_at_the_end(storage: ObjectStorage) -> None:
    await storage.write("k1", chunks([b"0123456789"]))
    assert await read(storage, "k1", 8, 100) == b"89"
    assert await read(storage, "k1", 10, 5) == b""


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2_000), start=st.integers(0, 2_100), length=st.integers(0, 2_100))
async def test_any_range_reads_the_same_bytes_as_slicing(
    storage: ObjectStorage, data: bytes, start: int, length: int
) -> None:
    await storage.write("k1", chunks([data]))
    assert await read(storage, "k1", start, length) == data[start : start + length]


async def test_a_zero_length_object_is_stored_and_read(storage: ObjectStorage) -> None:
    assert await storage.write("empty", chunks([])) == 0
    assert (await storage.stat("empty")).size == 0
    assert await read(storage, "empty", 0, 0) == b""
    assert await storage.exists("empty")


async def test_negative_ranges_are_refused(storage: ObjectStorage) -> None:
    await storage.write("k1", chunks([b"abc"]))
    with pytest.raises(ValueError, match="range"):
        await read(storage, "k1", -1, 2)
    with pytest.raises(ValueError, match="range"):
        await read(storage, "k1", 0, -1)


async def test_a_missing_key_is_not_found_and_deleting_it_is_fine(storage: ObjectStorage) -> None:
    with pytest.raises(NotFound):
        await storage.stat("missing")
    with pytest.raises(NotFound):
        await read(storage, "missing", 0, 1)
    with pytest.raises(NotFound):
        await storage.local_path("missing")
    assert not await storage.exists("missing")
    await storage.delete("missing")


async def test_a_deleted_object_is_gone(storage: ObjectStorage) -> None:
    await storage.write("k1", chunks([b"abc"]))
    await storage.delete("k1")
    await storage.delete("k1")
    assert not await storage.exists("k1")
    with pytest.raises(NotFound):
        await storage.stat("k1")


async def test_forgetting_deleted_copies_keeps_every_live_object(storage: ObjectStorage) -> None:
    await storage.write("k1", chunks([b"one"]))
    await storage.write("k2", chunks([b"two"]))
    path = await storage.local_path("k1")
    await storage.delete("k2")
    assert await storage.forget_deleted_copies() == 0  # this process deleted k2: its copy went with it
    assert await read(storage, "k1", 0, 3) == b"one"
    assert Path(await storage.local_path("k1")).read_bytes() == Path(path).read_bytes() == b"one"


async def test_a_rewrite_changes_the_etag(storage: ObjectStorage) -> None:
    await storage.write("k1", chunks([b"first version"]))
    first = await storage.stat("k1")
    await storage.write("k1", chunks([b"second, longer version"]))
    second = await storage.stat("k1")
    assert second.etag != first.etag
    assert second.size == len(b"second, longer version")


async def test_a_local_file_to_send_from_holds_the_current_bytes_or_there_is_none(storage: ObjectStorage) -> None:
    """What a server may sendfile from: the object's own file (a rewrite shows through), never a copy."""
    await storage.write("k1", chunks([b"first version"]))
    path = storage.local_file("k1")
    if not isinstance(storage, LocalStorage):
        assert path is None
        return
    assert path is not None and Path(path).read_bytes() == b"first version"
    await storage.write("k1", chunks([b"second, longer version"]))
    assert Path(path).read_bytes() == b"second, longer version"


async def test_concurrent_writers_of_one_key_leave_one_whole_version(storage: ObjectStorage) -> None:
    versions = [bytes([n]) * 300_000 for n in range(5)]

    async def slow(version: bytes) -> AsyncIterator[bytes]:
        for offset in range(0, len(version), 50_000):
            await asyncio.sleep(0)  # interleave the writers chunk by chunk
            yield version[offset : offset + 50_000]

    await asyncio.gather(*(storage.write("k1", slow(v)) for v in versions))
    stored = await read(storage, "k1", 0, 400_000)
    assert stored in versions
    assert (await storage.stat("k1")).size == len(stored)


async def test_a_write_over_max_bytes_keeps_nothing(storage: ObjectStorage) -> None:
    with pytest.raises(UploadTooLarge):
        await storage.write("k1", chunks([b"x" * 600, b"x" * 600]), max_bytes=1000)
    assert not await storage.exists("k1")
    with pytest.raises(NotFound):
        await storage.stat("k1")
    assert await storage.write("k1", chunks([b"x" * 1000]), max_bytes=1000) == 1000


async def test_a_failing_source_keeps_an_old_object_intact(storage: ObjectStorage) -> None:
    await storage.write("k1", chunks([b"old"]))

    async def broken() -> AsyncIterator[bytes]:
        yield b"new"
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        await storage.write("k1", broken())
    assert await read(storage, "k1", 0, 10) == b"old"


async def test_an_imported_file_is_stored_and_readable_locally(storage: ObjectStorage, tmp_path: Path) -> None:
    source = tmp_path / "cover.jpg"
    source.write_bytes(b"jpeg")
    assert await storage.import_file("cover1", str(source)) == 4
    assert Path(await storage.local_path("cover1")).read_bytes() == b"jpeg"
    assert (await storage.stat("cover1")).size == 4


# LocalStorage only: files on disk.


def leftovers(storage: LocalStorage) -> list[str]:
    return os.listdir(os.path.join(storage.root, "tmp")) + os.listdir(os.path.join(storage.root, "objects"))


async def test_a_local_write_leaves_no_temp_file(tmp_path: Path) -> None:
    storage = LocalStorage(str(tmp_path))
    parts = [os.urandom(700_000) for _ in range(4)]
    assert await storage.write("abc", chunks(parts)) == 2_800_000
    assert Path(await storage.local_path("abc")).read_bytes() == b"".join(parts)
    assert os.listdir(os.path.join(storage.root, "tmp")) == []


async def test_a_failed_local_write_leaves_no_file_behind(tmp_path: Path) -> None:
    storage = LocalStorage(str(tmp_path))
    with pytest.raises(UploadTooLarge):
        await storage.write("abc", chunks([b"x" * 600, b"x" * 600]), max_bytes=1000)
    assert leftovers(storage) == []

    async def broken() -> AsyncIterator[bytes]:
        yield b"new"
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        await storage.write("abc", broken())
    assert leftovers(storage) == []


@pytest.mark.parametrize("key", ["../escape", "a/b", "", ".hidden", "x" * 200])
async def test_path_like_keys_are_refused(tmp_path: Path, key: str) -> None:
    storage = LocalStorage(str(tmp_path))
    with pytest.raises(NotFound):
        await storage.write(key, chunks([b"x"]))
    assert not await storage.exists(key)
    with pytest.raises(NotFound):
        await storage.stat(key)
    with pytest.raises(NotFound):
        await read(storage, key, 0, 1)


async def listed(storage: ObjectStorage, moment: datetime) -> set[str]:
    return {key async for key in storage.keys_older_than(moment)}


async def test_keys_older_than_lists_the_objects_written_before_the_moment(storage: ObjectStorage) -> None:
    await storage.write("k1", chunks([b"one"]))
    await storage.write("k2", chunks([b"two"]))
    later = datetime.now(UTC) + timedelta(minutes=1)
    assert await listed(storage, later) == {"k1", "k2"}
    assert await listed(storage, datetime.now(UTC) - timedelta(minutes=1)) == set()
    await storage.delete("k1")
    assert await listed(storage, later) == {"k2"}


async def test_keys_older_than_lists_imported_objects(storage: ObjectStorage, tmp_path: Path) -> None:
    source = tmp_path / "rendition.mp4"
    source.write_bytes(b"rendition")
    await storage.import_file("r1", str(source))
    assert await listed(storage, datetime.now(UTC) + timedelta(minutes=1)) == {"r1"}


async def test_local_listing_goes_by_modification_time_and_skips_what_is_no_object(tmp_path: Path) -> None:
    storage = LocalStorage(str(tmp_path / "storage"))
    for key in ("old", "new"):
        await storage.write(key, chunks([b"x"]))
    hours_ago = (datetime.now(UTC) - timedelta(hours=2)).timestamp()
    os.utime(storage.path_of("old"), (hours_ago, hours_ago))
    stray = Path(storage.path_of("old")).with_name("not.an.id")
    stray.write_bytes(b"?")
    os.utime(stray, (hours_ago, hours_ago))
    assert await listed(storage, datetime.now(UTC) - timedelta(hours=1)) == {"old"}


async def test_local_listing_reads_a_large_directory_in_batches(tmp_path: Path) -> None:
    storage = LocalStorage(str(tmp_path / "storage"))
    keys = {f"k{i}" for i in range(LIST_BATCH * 2 + 7)}
    for key in keys:
        Path(storage.path_of(key)).write_bytes(b"")
    assert await listed(storage, datetime.now(UTC) + timedelta(minutes=1)) == keys


@pytest.fixture(params=["local", "s3"])
def file_storage(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStorage:
    """The adapters that keep bytes outside the process (the memory one holds them all by design)."""
    if request.param == "s3":
        return s3_storage(request.getfixturevalue("s3_server"), request.getfixturevalue("s3_bucket"), tmp_path / "c")
    return LocalStorage(str(tmp_path / "storage"))


@pytest.mark.slow
@pytest.mark.timeout(180)
async def test_a_gibibyte_streams_in_and_out_with_flat_memory(file_storage: ObjectStorage) -> None:
    storage = file_storage
    size = 1024 * MiB
    process = psutil.Process()
    await storage.write("warm", from_pattern(s3.PART_SIZE + 1))  # the store's client and pools exist before measuring
    await read(storage, "warm", 0, s3.PART_SIZE + 1)
    baseline = process.memory_info().rss
    peak = baseline

    def sample() -> None:
        nonlocal peak
        peak = max(peak, process.memory_info().rss)

    assert await storage.write("big", from_pattern(size, on_chunk=sample)) == size
    hasher = hashlib.blake2b()
    largest = 0
    async for chunk in storage.open_range("big", 0, size):
        hasher.update(chunk)
        largest = max(largest, len(chunk))
        sample()
    assert hasher.hexdigest() == digest(pattern(size))
    assert largest <= CHUNK_BOUNDS[type(storage)]
    cached = await storage.local_path("big")  # a worker's download into a cache streams as well
    sample()
    assert Path(cached).stat().st_size == size
    assert peak - baseline < 64 * MiB, f"memory grew by {(peak - baseline) / MiB:.0f} MiB"
