"""Collecting stored objects that no file row owns.

A process killed between writing an object and committing its row (an
upload, a cover, a rendition: play set status 5 left behind) leaves bytes
that nothing refers to and nothing would ever remove. Such an object is
removed once it is older than a grace period: every writer commits its row
right after the object is complete, so an object without a row after that
long was abandoned. Objects whose row is marked deleted are not this
collector's business.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from vod_core.errors import InternalError
from vod_core.services.context import Context
from vod_core.services.failures import fails_as

log = logging.getLogger(__name__)

DEFAULT_GRACE = timedelta(hours=1)
BATCH = 500
"""Storage ids looked up in the database at a time."""


class OrphanObjects:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    @fails_as(InternalError)
    async def collect(self, grace: timedelta = DEFAULT_GRACE) -> int:
        """Delete the objects older than ``grace`` that have no file row; returns how many.

        Then drop this process's local copies of objects deleted meanwhile
        (a worker's cache of sources; see ``ObjectStorage.forget_deleted_copies``).
        """
        removed = 0
        batch: list[str] = []
        async for key in self._ctx.storage.keys_older_than(self._ctx.clock.now() - grace):
            batch.append(key)
            if len(batch) == BATCH:
                removed += await self._remove_unowned(batch)
                batch = []
        if batch:
            removed += await self._remove_unowned(batch)
        if removed:
            log.info("removed %d stored objects that no file row owned", removed)
        await self._ctx.storage.forget_deleted_copies()
        return removed

    async def _remove_unowned(self, keys: list[str]) -> int:
        async with self._ctx.reader() as uow:
            owned = await uow.files.existing(keys)
        orphans = [key for key in keys if key not in owned]
        for key in orphans:
            await self._ctx.storage.delete(key)
        return len(orphans)
