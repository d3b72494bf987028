"""The composition root: what each profile builds, and overrides taking the place of what it would build."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.memory import MemoryJobQueue
from adapters.memory.fake_media import fake_video_bytes
from adapters.memory.storage import MemoryStorage
from entrypoints.bootstrap import bootstrap
from entrypoints.config import Config
from tests.support.clock import SteppingClock
from tests.support.s3 import S3Server
from vod_core.errors import UploadTooLarge
from vod_core.services.resumable_uploads import Chunk
from vod_core.video import VideoStatus


async def body(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def test_the_server_profile_keeps_users_and_files_under_the_data_dir(tmp_path: Path) -> None:
    config = Config(data_dir=str(tmp_path))
    async with bootstrap(config) as first:
        user, key = await first.vod.users.create_user("alice")
        stored = await first.vod.uploads.upload(user.id, "a.bin", body(b"payload"))
        assert first.in_process_jobs is not None and first.redis is None  # no Redis: jobs run in-process
    async with bootstrap(config) as second:  # a restarted process
        assert (await second.vod.users.authenticate(key)).id == user.id
        assert (await second.vod.uploads.get_file(user.id, stored.id)).size == len(b"payload")
    stored_files = [f for _, _, files in os.walk(tmp_path / "storage") for f in files]
    assert len(stored_files) == 1


async def test_the_memory_profile_touches_no_disk_and_fakes_media(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    jobs = MemoryJobQueue()
    runtime = bootstrap(Config.in_memory(), jobs=jobs)
    async with runtime:
        vod = runtime.vod
        user, _ = await vod.users.create_user("alice")
        stored = await vod.uploads.upload(user.id, "clip.mp4", body(fake_video_bytes(640, 360)))
        video = await vod.videos.create_video(user.id, stored.id, skip_auto_trans=True)
        assert await jobs.drain(vod.processing.handle) == 1
        details = await vod.videos.get_video(user.id, video.id)
    assert (details.video.status, details.video.video_width) == (VideoStatus.READY, 640)
    assert runtime.in_process_jobs is None  # the queue was given
    assert list(tmp_path.iterdir()) == []


async def test_overrides_and_settings_are_used_from_construction_on() -> None:
    moment = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    storage = MemoryStorage()
    config = Config.in_memory(max_upload_bytes=5, public_base_url="https://media.example")
    vod = bootstrap(config, storage=storage, clock=SteppingClock(moment, tick=timedelta(0))).vod
    user, _ = await vod.users.create_user("alice")
    stored = await vod.uploads.upload(user.id, "a.bin", body(b"12345"))
    assert stored.created_at == moment
    assert list(storage.objects) == [stored.id]
    grant = (await vod.access.grants()).for_video("v1")
    assert vod.ctx.links.file_url(stored.id, grant).startswith(f"https://media.example/files/{stored.id}?expires=")
    with pytest.raises(UploadTooLarge):
        await vod.uploads.upload(user.id, "b.bin", body(b"123456"))
    assert list(storage.objects) == [stored.id]


async def test_with_s3_storage_files_go_to_the_bucket_and_only_the_database_stays_in_the_data_dir(
    tmp_path: Path, s3_server: S3Server, s3_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in s3_server.environment(s3_bucket, "media/").items():
        monkeypatch.setenv(name, value)
    config = Config.from_env({**os.environ, "VOD_DATA_DIR": str(tmp_path)})
    jobs = MemoryJobQueue()
    async with bootstrap(config, jobs=jobs) as runtime:
        assert runtime.s3_store is not None
        user, _ = await runtime.vod.users.create_user("alice")
        stored = await runtime.vod.uploads.upload(user.id, "a.bin", body(b"payload"))
        assert s3_server.keys(s3_bucket) == [f"media/objects/{stored.id}"]
        path = await runtime.vod.ctx.storage.local_path(stored.id)
        assert Path(path).read_bytes() == b"payload"
        resumable = runtime.vod.resumable_uploads
        upload = await resumable.create(user.id, 5, "c.bin")
        assert any(key.startswith(f"media/tus/{upload.id}/") for key in s3_server.keys(s3_bucket))
        await resumable.append(user.id, upload.id, Chunk(0, body(b"12345")))
        assert sorted(s3_server.keys(s3_bucket)) == sorted(f"media/objects/{key}" for key in (stored.id, upload.id))
    assert Path(path).is_relative_to(tmp_path / "cache")
    assert not (tmp_path / "storage").exists()
    assert not (tmp_path / "uploads").exists()


async def test_without_a_storage_url_there_is_no_s3_client(tmp_path: Path) -> None:
    async with bootstrap(Config(data_dir=str(tmp_path)), jobs=MemoryJobQueue()) as runtime:
        assert runtime.s3_store is None
