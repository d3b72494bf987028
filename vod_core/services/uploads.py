"""Storage uploads (API.md Part B "Storage") and the expiry of uploads no video uses."""

from __future__ import annotations

from collections.abc import AsyncIterator

from vod_core.errors import CheckStorageIdFailed, InternalError, NotFound
from vod_core.files import StoredFile
from vod_core.media_types import content_type_for
from vod_core.services.access import unlinked_cutoff
from vod_core.services.context import Context
from vod_core.services.failures import fails_as
from vod_core.services.validation import require_id, require_text
from vod_core.services.videos import remove_stored_bytes

MAX_FILENAME = 255


class Uploads:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    @property
    def size_limit(self) -> int:
        """Bytes an upload may have (``VOD_MAX_UPLOAD_BYTES``): entrypoints refuse larger bodies before reading them."""
        return self._ctx.max_upload_bytes

    # No contract code names recording an upload (3121 is a video, 3113 a download from a URL).
    @fails_as(InternalError)
    async def upload(self, user_id: str, filename: str, chunks: AsyncIterator[bytes]) -> StoredFile:
        """Stream ``chunks`` into storage under a new storage id owned by ``user_id``.

        Over the size limit: UploadTooLarge, and nothing is kept.
        """
        name = require_text("filename", filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1], max_length=MAX_FILENAME)
        storage_id = self._ctx.ids.new_id()
        size = await self._ctx.storage.write(storage_id, chunks, self._ctx.max_upload_bytes)
        stored = StoredFile(
            id=storage_id,
            user_id=user_id,
            filename=name,
            size=size,
            content_type=content_type_for(name),
            created_at=self._ctx.clock.now(),
        )
        try:
            async with self._ctx.uow() as uow:
                await uow.files.add(stored)
                await uow.commit()
        except BaseException:
            await self._ctx.storage.delete(storage_id)
            raise
        return stored

    @fails_as(CheckStorageIdFailed)
    async def get_file(self, user_id: str, storage_id: str) -> StoredFile:
        """The caller's own, non-deleted file; anything else is 3102."""
        require_id("id", storage_id)
        async with self._ctx.reader() as uow:
            stored = await uow.files.get(storage_id)
        if stored is None or stored.deleted or stored.user_id != user_id:
            raise NotFound(f"file {storage_id} not found")
        return stored

    # No contract code names housekeeping; 3124 (delete video) does not fit an upload.
    @fails_as(InternalError)
    async def expire_unlinked(self, limit: int = 500) -> int:
        """Delete up to ``limit`` uploads no video used within ``VOD_UNLINKED_TTL``; returns how many.

        Safe to run in several processes at once: each file is marked
        deleted by exactly one of them (a compare-and-set that also loses to
        a concurrent ``create_video`` linking it), and only that one removes
        its bytes, after the commit.
        """
        cutoff = unlinked_cutoff(self._ctx.clock.now(), self._ctx.unlinked_ttl_s)
        async with self._ctx.uow() as uow:
            expired = [
                f.id for f in await uow.files.unlinked_before(cutoff, limit) if await uow.files.delete_if_unlinked(f.id)
            ]
            await uow.commit()
        await remove_stored_bytes(self._ctx, expired)
        return len(expired)
