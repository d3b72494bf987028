"""A service over in-memory adapters with two users, for the use-case tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from adapters.memory import MemoryJobQueue
from adapters.memory.fake_media import fake_video_bytes
from entrypoints.bootstrap import bootstrap
from entrypoints.config import Config
from tests.support.clock import SteppingClock
from vod_core import Vod


async def chunks_of(data: bytes) -> AsyncIterator[bytes]:
    yield data


@dataclass
class World:
    vod: Vod
    jobs: MemoryJobQueue
    clock: SteppingClock
    alice: str
    bob: str

    async def upload(self, user_id: str, data: bytes | None = None, name: str = "clip.mp4") -> str:
        stored = await self.vod.uploads.upload(user_id, name, chunks_of(data or fake_video_bytes()))
        return stored.id

    async def video(self, user_id: str, *, ready: bool = True, usable: bool = True) -> str:
        storage_id = await self.upload(user_id, None if usable else b"not a video")
        video = await self.vod.videos.create_video(user_id, storage_id)
        if ready:
            await self.jobs.drain(self.vod.processing.handle)
        return video.id


async def new_world(config: Config | None = None, **overrides: Any) -> World:
    """Users alice and bob in the memory profile; ``overrides`` as for ``bootstrap`` (but not jobs or clock)."""
    clock, jobs = SteppingClock(), MemoryJobQueue()
    vod = bootstrap(config or Config.in_memory(), jobs=jobs, clock=clock, **overrides).vod
    alice, _ = await vod.users.create_user("alice")
    bob, _ = await vod.users.create_user("bob")
    return World(vod, jobs, clock, alice.id, bob.id)
