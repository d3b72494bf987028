"""ObjectCache over a real S3 store (moto): bounded by bytes, least recently used out, one download per key.

The origin is the S3Storage itself, wrapped to count (and, where a test
needs to hold a download mid-way, to gate) its downloads.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from adapters.storage.cache import TEMP_PREFIX, CacheTooSmall, ObjectCache
from adapters.storage.s3 import S3Storage
from tests.contract.test_object_storage import chunks, s3_storage
from tests.support.s3 import S3Server
from vod_core.errors import NotFound, StorageUnavailable


class Counting:
    """The S3 store as a cache origin, recording each download; ``gate`` (when set) holds downloads until opened."""

    def __init__(self, storage: S3Storage, gated: bool = False) -> None:
        self.storage = storage
        self.downloads: list[str] = []
        self.sized: defaultdict[str, asyncio.Event] = defaultdict(asyncio.Event)
        self.started = asyncio.Event()
        self.gate = asyncio.Event()
        if not gated:
            self.gate.set()

    async def size(self, key: str) -> int:
        size = await self.storage.size(key)
        # Set just before the cache goes on to reserve room: a waiter on it runs once the cache
        # has reserved the room or is waiting for it.
        self.sized[key].set()
        return size

    async def download(self, key: str, path: str) -> int:
        self.downloads.append(key)
        self.started.set()
        await self.gate.wait()
        return await self.storage.download(key, path)


@pytest.fixture
async def storage(s3_server: S3Server, s3_bucket: str, tmp_path: Path) -> S3Storage:
    storage = s3_storage(s3_server, s3_bucket, tmp_path / "storage-cache")
    for key in ("a", "b", "c"):
        await storage.write(key, chunks([key.encode() * 40]))
    return storage


def cache_of(origin: Counting, tmp_path: Path, max_bytes: int = 100) -> ObjectCache:
    return ObjectCache(str(tmp_path / "cache"), max_bytes, origin)


async def test_a_copy_is_downloaded_once_and_then_served_from_disk(storage: S3Storage, tmp_path: Path) -> None:
    origin = Counting(storage)
    cache = cache_of(origin, tmp_path)
    first = await cache.path("a")
    assert Path(first).read_bytes() == b"a" * 40
    assert await cache.path("a") == first
    assert origin.downloads == ["a"]


async def test_the_least_recently_used_copies_go_when_room_is_needed(storage: S3Storage, tmp_path: Path) -> None:
    origin = Counting(storage)
    cache = cache_of(origin, tmp_path, max_bytes=100)  # room for two objects of 40 bytes
    path_a, path_b = await cache.path("a"), await cache.path("b")
    await cache.path("a")  # a is now more recent than b
    await cache.path("c")
    assert cache.keys() == ["a", "c"]
    assert cache.used_bytes == 80
    assert not Path(path_b).exists() and Path(path_a).exists()
    assert Path(await cache.path("b")).read_bytes() == b"b" * 40  # fetched again, a goes
    assert origin.downloads == ["a", "b", "c", "b"]
    assert cache.keys() == ["c", "b"]


async def test_concurrent_requests_for_one_key_share_one_download(storage: S3Storage, tmp_path: Path) -> None:
    origin = Counting(storage, gated=True)
    cache = cache_of(origin, tmp_path)
    first = asyncio.ensure_future(cache.path("a"))
    await origin.started.wait()  # the download is in flight...
    others = [asyncio.ensure_future(cache.path("a")) for _ in range(7)]  # ...when seven more ask
    origin.gate.set()
    paths = await asyncio.gather(first, *others)
    assert origin.downloads == ["a"]
    assert len(set(paths)) == 1 and Path(paths[0]).read_bytes() == b"a" * 40


async def test_a_waiter_giving_up_does_not_cancel_the_download_of_the_others(
    storage: S3Storage, tmp_path: Path
) -> None:
    origin = Counting(storage, gated=True)
    cache = cache_of(origin, tmp_path)
    impatient = asyncio.ensure_future(cache.path("a"))
    await origin.started.wait()
    patient = asyncio.ensure_future(cache.path("a"))
    impatient.cancel()
    origin.gate.set()
    assert Path(await patient).read_bytes() == b"a" * 40
    assert impatient.cancelled()
    assert origin.downloads == ["a"]


async def test_a_download_waits_for_room_held_by_another_download_never_evicting_it(
    storage: S3Storage, tmp_path: Path
) -> None:
    await storage.write("big1", chunks([b"1" * 60]))
    await storage.write("big2", chunks([b"2" * 60]))
    origin = Counting(storage, gated=True)
    cache = cache_of(origin, tmp_path, max_bytes=100)
    first = asyncio.ensure_future(cache.path("big1"))
    await origin.started.wait()
    second = asyncio.ensure_future(cache.path("big2"))
    await origin.sized["big2"].wait()
    assert cache.used_bytes == 60  # only the first download's room: the second waits, nothing was evicted
    assert not second.done() and origin.downloads == ["big1"]
    origin.gate.set()
    await first  # done, then evicted to make room for the second
    assert Path(await second).read_bytes() == b"2" * 60
    assert origin.downloads == ["big1", "big2"]
    assert cache.keys() == ["big2"] and cache.used_bytes == 60


async def test_an_object_larger_than_the_cache_is_refused_as_unavailable_storage(
    storage: S3Storage, tmp_path: Path
) -> None:
    cache = cache_of(Counting(storage), tmp_path, max_bytes=39)
    with pytest.raises(CacheTooSmall, match="more than the whole cache") as caught:
        await cache.path("a")
    assert isinstance(caught.value, StorageUnavailable)
    assert cache.used_bytes == 0


async def test_a_missing_key_is_not_found_and_leaves_nothing(storage: S3Storage, tmp_path: Path) -> None:
    cache = cache_of(Counting(storage), tmp_path)
    with pytest.raises(NotFound):
        await cache.path("missing")
    assert cache.used_bytes == 0
    assert os.listdir(tmp_path / "cache" / "tmp") == os.listdir(tmp_path / "cache" / "objects") == []


async def test_a_failed_download_leaves_no_file_and_frees_its_room(storage: S3Storage, tmp_path: Path) -> None:
    class Failing(Counting):
        async def download(self, key: str, path: str) -> int:
            Path(path).write_bytes(b"half")
            raise ConnectionResetError("the store went away")

    cache = cache_of(Failing(storage), tmp_path)
    with pytest.raises(ConnectionResetError):
        await cache.path("a")
    assert cache.used_bytes == 0 and cache.keys() == []
    assert os.listdir(tmp_path / "cache" / "tmp") == os.listdir(tmp_path / "cache" / "objects") == []


async def test_deleting_an_object_drops_its_cached_copy(storage: S3Storage) -> None:
    path = await storage.local_path("a")
    assert Path(path).exists()
    await storage.delete("a")
    assert not Path(path).exists()
    assert storage.cache.keys() == [] and storage.cache.used_bytes == 0
    with pytest.raises(NotFound):
        await storage.local_path("a")


async def test_copies_of_objects_another_process_deleted_are_forgotten(
    storage: S3Storage, s3_server: S3Server, s3_bucket: str, tmp_path: Path
) -> None:
    kept, deleted = await storage.local_path("a"), await storage.local_path("b")
    other_process = s3_storage(s3_server, s3_bucket, tmp_path / "other-cache")
    await other_process.delete("b")
    assert Path(deleted).exists()  # this process was not told
    assert await storage.forget_deleted_copies() == 1
    assert not Path(deleted).exists() and Path(kept).exists()
    assert storage.cache.keys() == ["a"] and storage.cache.used_bytes == len(b"a" * 40)
    assert await storage.forget_deleted_copies() == 0


async def test_an_object_deleted_while_it_downloads_is_not_kept(storage: S3Storage, tmp_path: Path) -> None:
    origin = Counting(storage, gated=True)
    cache = cache_of(origin, tmp_path)
    fetch = asyncio.ensure_future(cache.path("a"))
    await origin.started.wait()
    cache.drop("a")
    origin.gate.set()
    with pytest.raises(NotFound):
        await fetch
    assert cache.keys() == [] and cache.used_bytes == 0
    assert os.listdir(tmp_path / "cache" / "objects") == []


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


async def test_a_restart_rebuilds_the_index_and_sweeps_half_downloads(storage: S3Storage, tmp_path: Path) -> None:
    before = cache_of(Counting(storage), tmp_path)
    await before.path("a")
    await before.path("b")
    await before.path("a")  # most recent: b, then a
    half = tmp_path / "cache" / "tmp" / f"{TEMP_PREFIX}{dead_pid()}-x1y2"
    half.write_bytes(b"a killed download")
    origin = Counting(storage)
    after = cache_of(origin, tmp_path)
    assert after.keys() == ["b", "a"] and after.used_bytes == 80
    assert not half.exists()
    assert Path(await after.path("a")).read_bytes() == b"a" * 40
    assert origin.downloads == []
    await after.path("c")  # b is the least recently used, by the index rebuilt from the files
    assert after.keys() == ["a", "c"]


async def test_a_restart_with_a_smaller_bound_evicts_down_to_it(storage: S3Storage, tmp_path: Path) -> None:
    before = cache_of(Counting(storage), tmp_path)
    await before.path("a")
    await before.path("b")
    after = cache_of(Counting(storage), tmp_path, max_bytes=50)
    assert after.keys() == ["b"] and after.used_bytes == 40
    assert sorted(os.listdir(tmp_path / "cache" / "objects")) == ["b"]
