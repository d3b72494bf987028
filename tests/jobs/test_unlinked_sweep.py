"""``vod serve``'s background sweeps expired unlinked uploads (API.md "Storage and files")."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

from entrypoints.bootstrap import bootstrap, serving
from entrypoints.config import Config
from tests.jobs.helpers import eventually
from tests.support.clock import SteppingClock


async def chunks(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def test_serving_sweeps_expired_unlinked_uploads_and_keeps_fresh_ones() -> None:
    clock = SteppingClock()
    runtime = bootstrap(Config.in_memory(unlinked_ttl_s=60), clock=clock)
    vod = runtime.vod
    user, _ = await vod.users.create_user("alice")
    old = await vod.uploads.upload(user.id, "old.mp4", chunks(b"old"))
    clock.advance(timedelta(seconds=61))
    fresh = await vod.uploads.upload(user.id, "fresh.mp4", chunks(b"fresh"))
    async with serving(runtime):

        async def swept() -> bool:
            async with vod.ctx.reader() as uow:
                stored = await uow.files.get(old.id)
            return stored is not None and stored.deleted

        await eventually(swept, what="the expired upload to be swept")
        assert not await vod.ctx.storage.exists(old.id)
        assert await vod.ctx.storage.exists(fresh.id)
        assert await vod.videos.size_sum(user.id) == len(b"fresh")
