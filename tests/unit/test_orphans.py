"""Stored objects that no file row owns are collected once older than the grace period (issue 11, item 10),
and a process's cached copies of objects deleted by another go at the same round.

Such an object is what a process killed between ``storage.import_file`` and
the commit of the row leaves (a rendition at play set status 5, a cover, an
upload). Young objects and objects with a row are never touched.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.memory import MemoryJobQueue
from adapters.memory.fake_media import FakeProber, FakeThumbnailer, FakeTranscoder
from adapters.memory.storage import MemoryStorage
from adapters.storage import LocalStorage
from entrypoints.background import maintaining
from entrypoints.bootstrap import Runtime, bootstrap
from entrypoints.config import Config, ConfigError
from tests.contract.test_object_storage import s3_storage
from tests.jobs.helpers import eventually
from tests.support.clock import SteppingClock
from tests.support.s3 import S3Server
from vod_core.services.orphans import BATCH

GRACE = timedelta(hours=1)


async def body(data: bytes) -> AsyncIterator[bytes]:
    yield data


def age(storage: LocalStorage, key: str, by: timedelta) -> None:
    moment = (datetime.now(UTC) - by).timestamp()
    os.utime(storage.path_of(key), (moment, moment))


def runtime(kind: str, tmp_path: Path) -> tuple[Runtime, LocalStorage]:
    storage = LocalStorage(str(tmp_path / "storage"))
    config = Config.in_memory() if kind == "memory" else Config(data_dir=str(tmp_path))
    media = {"prober": FakeProber(), "thumbnailer": FakeThumbnailer(), "transcoder": FakeTranscoder()}
    clock = SteppingClock(datetime.now(UTC))
    return bootstrap(config, storage=storage, jobs=MemoryJobQueue(), clock=clock, **media), storage  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
async def test_an_old_object_without_a_row_is_removed_and_nothing_else(kind: str, tmp_path: Path) -> None:
    built, storage = runtime(kind, tmp_path)
    async with built:
        vod = built.vod
        user, _ = await vod.users.create_user("alice")
        owned = await vod.uploads.upload(user.id, "clip.mp4", body(b"bytes with a row"))
        rendition = tmp_path / "rendition.mp4"
        rendition.write_bytes(b"a rendition whose row was never committed")
        for key in ("orphan", "young"):
            await storage.import_file(key, str(rendition))
        for key in (owned.id, "orphan"):
            age(storage, key, GRACE + timedelta(minutes=5))
        age(storage, "young", GRACE - timedelta(minutes=5))

        assert await vod.orphans.collect(GRACE) == 1
        assert not await storage.exists("orphan")
        assert await storage.exists("young") and await storage.exists(owned.id)
        assert await vod.orphans.collect(GRACE) == 0


async def test_many_orphans_are_collected_batch_by_batch() -> None:
    storage = MemoryStorage()
    vod = bootstrap(Config.in_memory(), storage=storage, jobs=MemoryJobQueue()).vod
    user, _ = await vod.users.create_user("alice")
    owned = [(await vod.uploads.upload(user.id, f"{n}.bin", body(b"x"))).id for n in range(3)]
    orphans = [f"orphan{n}" for n in range(BATCH * 2 + 3)]
    for key in orphans:
        await storage.write(key, body(b"x"))
    long_ago = datetime.now(UTC) - GRACE * 2
    for key in storage.written:
        storage.written[key] = long_ago
    assert await vod.orphans.collect(GRACE) == len(orphans)
    assert sorted(storage.objects) == sorted(owned)


async def test_serving_and_workers_collect_at_start(tmp_path: Path) -> None:
    built, storage = runtime("memory", tmp_path)
    await storage.write("orphan1", body(b"left by a killed process"))
    age(storage, "orphan1", GRACE * 2)
    async with built:
        services = built.background()
        await services.start()
        try:
            await eventually(lambda: _gone(storage, "orphan1"), what="collection at serve start")
        finally:
            await services.stop()
        await storage.write("orphan2", body(b"left by a killed worker"))
        age(storage, "orphan2", GRACE * 2)
        async with maintaining(built.vod, GRACE):  # what `vod worker` runs
            await eventually(lambda: _gone(storage, "orphan2"), what="collection at worker start")


async def _gone(storage: LocalStorage, key: str) -> bool:
    return not await storage.exists(key)


def test_the_grace_period_is_a_setting() -> None:
    assert Config.from_env({}).orphan_grace_s == 3600
    assert Config.from_env({"VOD_ORPHAN_GRACE": "7200"}).orphan_grace_s == 7200
    with pytest.raises(ConfigError, match="VOD_ORPHAN_GRACE"):
        Config.from_env({"VOD_ORPHAN_GRACE": "5"})


async def test_a_workers_copies_of_objects_deleted_elsewhere_go_at_its_maintenance(
    tmp_path: Path, s3_server: S3Server, s3_bucket: str
) -> None:
    worker_storage = s3_storage(s3_server, s3_bucket, tmp_path / "worker-cache")
    vod = bootstrap(Config.in_memory(), storage=worker_storage, jobs=MemoryJobQueue()).vod
    await worker_storage.write("source1", body(b"a source the worker transcoded"))
    copy = Path(await worker_storage.local_path("source1"))
    await s3_storage(s3_server, s3_bucket, tmp_path / "serve-cache").delete("source1")  # `vod serve` deletes it
    assert copy.exists()
    async with maintaining(vod, GRACE):  # what `vod worker` runs
        await eventually(lambda: _absent(copy), what="the copy forgotten at the worker's maintenance")


async def _absent(path: Path) -> bool:
    return not path.exists()
