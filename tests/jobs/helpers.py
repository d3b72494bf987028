"""Wiring and media doubles shared by the job, feed and webhook tests."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import timedelta

from adapters.memory import MemoryBackend
from adapters.memory.database import MemoryDatabase
from adapters.memory.fake_media import FakeTranscoder, fake_video_bytes
from adapters.memory.storage import MemoryStorage
from adapters.redis.jobs import GROUP, RedisJobConsumer, RedisJobQueue
from entrypoints.bootstrap import Runtime, bootstrap
from entrypoints.config import Config
from vod_core import Vod
from vod_core.job_retries import JobRetryPolicy
from vod_core.ports.clock import Clock
from vod_core.ports.jobs import JobQueue
from vod_core.ports.media import ProgressCallback, Rendition, RenditionRequest, Transcoder
from vod_core.ports.storage import ObjectStorage

TEST_CONFIG = Config.in_memory(webhook_allow_private=True)
"""The memory profile, with callbacks to the loopback receivers of the tests allowed."""

QUICK_RETRIES = JobRetryPolicy(first_delay=timedelta(milliseconds=1), max_delay=timedelta(milliseconds=20))
"""The default limits, with retries due within milliseconds rather than seconds."""


def memory_runtime(
    db: MemoryDatabase | None = None,
    storage: ObjectStorage | None = None,
    *,
    jobs: JobQueue | None = None,
    transcoder: Transcoder | None = None,
    clock: Clock | None = None,
    job_retries: JobRetryPolicy = QUICK_RETRIES,
) -> Runtime:
    """The memory profile over ``db``: build a second one on the same ``db`` and storage to play a restart.

    Without ``jobs`` it runs jobs in-process (``runtime.background()``), as ``vod serve`` does without Redis.
    """
    return bootstrap(
        TEST_CONFIG,
        database=MemoryBackend(db),
        storage=storage or MemoryStorage(),
        jobs=jobs,
        transcoder=transcoder,
        clock=clock,
        job_retries=job_retries,
    )


def memory_vod(
    db: MemoryDatabase,
    storage: ObjectStorage,
    jobs: JobQueue,
    *,
    transcoder: Transcoder | None = None,
    clock: Clock | None = None,
    job_retries: JobRetryPolicy = QUICK_RETRIES,
) -> Vod:
    """A Vod over ``db`` whose jobs go to ``jobs``."""
    return memory_runtime(db, storage, jobs=jobs, transcoder=transcoder, clock=clock, job_retries=job_retries).vod


def fresh_memory_vod(jobs: JobQueue, *, transcoder: Transcoder | None = None, clock: Clock | None = None) -> Vod:
    return memory_runtime(jobs=jobs, transcoder=transcoder, clock=clock).vod


async def _chunks(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def new_video(vod: Vod, user_id: str, *, skip_auto_trans: bool = False) -> str:
    stored = await vod.uploads.upload(user_id, "clip.mp4", _chunks(fake_video_bytes()))
    video = await vod.videos.create_video(user_id, stored.id, skip_auto_trans=skip_auto_trans)
    return video.id


async def user_with_auto_transcode(vod: Vod, name: str = "alice", templates: Sequence[int] = (1,)) -> str:
    user, _ = await vod.users.create_user(name)
    await vod.preferences.save_trans_config(user.id, list(templates))
    return user.id


async def eventually(condition: Callable[[], Awaitable[bool]], timeout_s: float = 20.0, what: str = "") -> None:
    """Poll an observable condition until it holds; fail after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        await asyncio.sleep(0.02)


@contextlib.asynccontextmanager
async def consuming(consumer: RedisJobConsumer) -> AsyncIterator[None]:
    """Run ``consumer`` while the block runs."""
    task = asyncio.create_task(consumer.run())
    try:
        yield
    finally:
        consumer.stop()
        await task


async def pending(queue: RedisJobQueue) -> int:
    """Entries of the stream read and not acknowledged yet."""
    summary = await queue.client.xpending(queue.stream, GROUP)
    return int(summary["pending"])


class GateTranscoder(FakeTranscoder):
    """Blocks every transcode until ``release`` is set; counts how many run at once."""

    def __init__(self) -> None:
        super().__init__(steps=2)
        self.release = asyncio.Event()
        self.active = 0
        self.max_active = 0

    async def transcode(
        self, source_path: str, requests: Sequence[RenditionRequest], progress: ProgressCallback
    ) -> list[Rendition]:
        self.active += 1
        self.max_active = max(self.max_active, self.active)
        try:
            await progress(0.5)
            await self.release.wait()
            return await super().transcode(source_path, requests, progress)
        finally:
            self.active -= 1


class BrokenTranscoder(FakeTranscoder):
    """Raises an unexpected error on every call (a bug, not a bad file)."""

    async def transcode(
        self, source_path: str, requests: Sequence[RenditionRequest], progress: ProgressCallback
    ) -> list[Rendition]:
        self.calls.append([r.template.id for r in requests])
        raise RuntimeError("transcoder crashed")
