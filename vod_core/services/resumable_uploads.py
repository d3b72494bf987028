"""Resumable uploads (tus 1.0, API.md C3): create, look up the offset, append a chunk, terminate, expire.

The offset of an upload lives in the database and its bytes in the
``PartialUploads`` port, so both survive a restart and several ``vod serve``
processes can serve one upload. A PATCH first claims the upload (a
compare-and-set of the offset and a lease in the database), streams its body
outside any transaction, makes the bytes durable and only then commits the
new offset: the offset never counts a byte that could be lost. The last byte
turns the upload into a :class:`StoredFile` whose id is the upload's.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from vod_core.errors import (
    AlreadyInLibrary,
    CheckStorageIdFailed,
    ChecksumMismatch,
    ChunkTooLong,
    InternalError,
    InvalidParameter,
    NotFound,
    UploadConflict,
    UploadExpired,
    UploadTooLarge,
)
from vod_core.files import StoredFile
from vod_core.media_types import content_type_for
from vod_core.resumable import LEASE, LEASE_RENEWAL, UPLOAD_LIFETIME, ResumableUpload
from vod_core.services.context import Context
from vod_core.services.failures import fails_as
from vod_core.services.uploads import MAX_FILENAME
from vod_core.services.validation import require_id

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_METADATA = 4096
"""Characters of ``Upload-Metadata`` kept (it is echoed on every HEAD)."""

SWEEP_BATCH = 500


@dataclass(frozen=True)
class Chunk:
    """One PATCH: ``offset`` the client claims, its body, the SHA-1 it declared (if any), its declared length."""

    offset: int
    body: AsyncIterator[bytes]
    sha1: bytes | None = None
    length: int | None = None


def _base_name(filename: str) -> str:
    name = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1].strip()
    if len(name) > MAX_FILENAME:
        raise InvalidParameter("filename", f"is longer than {MAX_FILENAME} characters")
    if not name.isprintable():
        raise InvalidParameter("filename", "contains control characters")
    return name


class ResumableUploads:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    @property
    def size_limit(self) -> int:
        """``Tus-Max-Size``: the plain uploads' limit (``VOD_MAX_UPLOAD_BYTES``)."""
        return self._ctx.max_upload_bytes

    # No contract code names recording an upload (3121 is a video, 3113 a download from a URL).
    @fails_as(InternalError)
    async def create(self, user_id: str, upload_length: int, filename: str = "", metadata: str = "") -> ResumableUpload:
        """A new, empty upload of ``upload_length`` bytes, expiring 24 h from now.

        Over the size limit: UploadTooLarge (413). An empty upload is complete at once.
        """
        if upload_length < 0:
            raise InvalidParameter("Upload-Length", "must be a non-negative integer")
        if upload_length > self._ctx.max_upload_bytes:
            raise UploadTooLarge(self._ctx.max_upload_bytes)
        if len(metadata) > MAX_METADATA or not metadata.isprintable():
            raise InvalidParameter("Upload-Metadata", f"must be at most {MAX_METADATA} printable characters")
        upload_id = self._ctx.ids.new_id()
        now = self._ctx.clock.now()
        upload = ResumableUpload(
            id=upload_id,
            user_id=user_id,
            upload_length=upload_length,
            received=0,
            filename=_base_name(filename) or upload_id,
            metadata=metadata,
            created_at=now,
            expires_at=now + UPLOAD_LIFETIME,
        )
        await self._ctx.partial_uploads.create(upload_id)
        try:
            async with self._ctx.uow() as uow:
                await uow.resumable_uploads.add(upload)
                await uow.commit()
        except BaseException:
            await asyncio.shield(self._ctx.partial_uploads.remove(upload_id))
            raise
        if upload_length == 0:
            token = await self._claim(upload, 0)
            return await self._complete(upload, token)
        return upload

    @fails_as(CheckStorageIdFailed)
    async def get(self, user_id: str, upload_id: str) -> ResumableUpload:
        """The caller's upload (its offset); another user's or a missing one is 3102, an expired one UploadExpired."""
        async with self._ctx.reader() as uow:
            return self._usable(await uow.resumable_uploads.get(require_id("id", upload_id)), user_id)

    @fails_as(InternalError)
    async def append(self, user_id: str, upload_id: str, chunk: Chunk) -> ResumableUpload:
        """Store one chunk at ``chunk.offset`` and return the upload with its new offset.

        The offset must be the upload's (else UploadConflict, 409), and no
        other request may be writing to it (UploadConflict). A chunk past
        the upload's length is discarded (ChunkTooLong, 413), and so is one
        whose SHA-1 does not match (ChecksumMismatch, 460). When the body
        ends early (the client went away), what arrived is kept unless a
        checksum was declared, and the exception propagates.
        """
        async with self._ctx.reader() as uow:
            upload = self._usable(await uow.resumable_uploads.get(require_id("id", upload_id)), user_id)
        if upload.finished:
            raise UploadConflict(f"the upload is complete ({upload.upload_length} bytes)")
        if chunk.offset != upload.received:
            raise UploadConflict(f"is {chunk.offset}, but the upload holds {upload.received} bytes")
        room = upload.upload_length - chunk.offset
        if chunk.length is not None and chunk.length > room:
            raise ChunkTooLong(room)
        token = await self._claim(upload, chunk.offset)
        hasher = hashlib.sha1(usedforsecurity=False) if chunk.sha1 is not None else None
        body = self._guarded(chunk.body, upload.id, token, room, hasher)
        try:
            written = await self._ctx.partial_uploads.append(upload.id, chunk.offset, body)
        except BaseException as exc:
            keep = chunk.sha1 is None and not isinstance(exc, ChunkTooLong | UploadConflict)
            await asyncio.shield(self._settle_interrupted(upload, token, chunk.offset, keep))
            raise
        if hasher is not None and hasher.digest() != chunk.sha1:
            await self._discard(upload.id, token, chunk.offset)
            raise ChecksumMismatch()
        return await self._commit(upload, token, chunk.offset + written)

    @fails_as(InternalError)
    async def terminate(self, user_id: str, upload_id: str) -> None:
        """Remove the upload and its bytes (tus termination).

        A complete upload is its stored file: removed unless a video uses it
        (AlreadyInLibrary). A PATCH running on it: UploadConflict.
        """
        async with self._ctx.reader() as uow:
            upload = await uow.resumable_uploads.get(require_id("id", upload_id))
        if upload is None or upload.user_id != user_id:
            raise NotFound(f"upload {upload_id} not found")
        if upload.finished:
            await self._remove_finished(upload)
            return
        async with self._ctx.uow() as uow:
            if not await uow.resumable_uploads.claim_for_removal(upload.id, self._ctx.clock.now()):
                raise UploadConflict("another request is writing to this upload")
            await uow.commit()
        await self._remove(upload.id)

    # No contract code names housekeeping; 3124 (delete video) does not fit an upload.
    @fails_as(InternalError)
    async def expire(self, limit: int = SWEEP_BATCH) -> int:
        """Remove up to ``limit`` uploads past their expiry; returns how many.

        An unfinished one goes with its bytes (unless a PATCH still holds it:
        the next sweep takes it); of a finished one only the record goes,
        its stored file lives on under the unlinked-upload rules.
        """
        now = self._ctx.clock.now()
        forgotten = 0
        removing: list[str] = []
        async with self._ctx.uow() as uow:
            for upload in await uow.resumable_uploads.ended_before(now, limit):
                if upload.finished:
                    await uow.resumable_uploads.delete(upload.id)
                    forgotten += 1
                elif await uow.resumable_uploads.claim_for_removal(upload.id, now):
                    removing.append(upload.id)
            await uow.commit()
        for upload_id in removing:
            await self._remove(upload_id)
        if removing:
            log.info("removed %d expired unfinished uploads and their bytes", len(removing))
        return forgotten + len(removing)

    def _usable(self, upload: ResumableUpload | None, user_id: str) -> ResumableUpload:
        if upload is None or upload.user_id != user_id:
            raise NotFound("upload not found")
        if upload.expired(self._ctx.clock.now()):
            raise UploadExpired(f"upload {upload.id} expired at {upload.expires_at.isoformat()}")
        return upload

    async def _claim(self, upload: ResumableUpload, offset: int) -> str:
        token = self._ctx.ids.new_id()
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            claimed = await uow.resumable_uploads.claim(upload.id, offset, token, now, now + LEASE)
            await uow.commit()
        if not claimed:
            raise UploadConflict("another request is writing to this upload, or its offset changed")
        return token

    async def _guarded(
        self, body: AsyncIterator[bytes], upload_id: str, token: str, room: int, hasher: hashlib._Hash | None
    ) -> AsyncIterator[bytes]:
        """``body``, hashed, refused past ``room`` bytes, renewing the lease while it streams."""
        total = 0
        renewed = self._ctx.clock.now()
        async for data in body:
            total += len(data)
            if total > room:
                raise ChunkTooLong(room)
            now = self._ctx.clock.now()
            if now - renewed >= LEASE_RENEWAL:
                await self._renew(upload_id, token, now)
                renewed = now
            if hasher is not None:
                hasher.update(data)
            yield data

    async def _renewing(self, upload_id: str, token: str, work: Awaitable[T]) -> T:
        """``work``'s result, the lease renewed while it runs.

        Completing on object storage copies every byte of the upload (S3 has
        no concatenation to drive), which can outlast the lease: a client
        retrying its last chunk must not take the upload over and drop bytes
        the copy is still reading.
        """
        task = asyncio.ensure_future(work)
        try:
            while True:
                done, _ = await asyncio.wait({task}, timeout=LEASE_RENEWAL.total_seconds())
                if done:
                    return task.result()
                await self._renew(upload_id, token, self._ctx.clock.now())
        finally:
            if not task.done():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)

    async def _renew(self, upload_id: str, token: str, now: datetime) -> None:
        async with self._ctx.uow() as uow:
            renewed = await uow.resumable_uploads.renew(upload_id, token, now + LEASE)
            await uow.commit()
        if not renewed:
            raise UploadConflict("the upload was taken over by another request")

    async def _settle_interrupted(self, upload: ResumableUpload, token: str, offset: int, keep: bool) -> None:
        """After a chunk that did not end normally: keep what is durable (or nothing) and end the lease."""
        try:
            if not keep:
                await self._discard(upload.id, token, offset)
                return
            stored = min(await self._ctx.partial_uploads.stored_length(upload.id), upload.upload_length)
            await self._commit(upload, token, max(stored, offset))
        except Exception:  # the original error is what the client gets; the lease lapses by itself
            log.exception("could not settle interrupted chunk of upload %s", upload.id)

    async def _discard(self, upload_id: str, token: str, offset: int) -> None:
        await self._ctx.partial_uploads.truncate(upload_id, offset)
        await self._release(upload_id, token, offset)

    async def _release(self, upload_id: str, token: str, received: int) -> None:
        async with self._ctx.uow() as uow:
            released = await uow.resumable_uploads.release(upload_id, token, received)
            await uow.commit()
        if not released:
            raise UploadConflict("the upload was taken over by another request")

    async def _commit(self, upload: ResumableUpload, token: str, received: int) -> ResumableUpload:
        if received == upload.upload_length:
            return await self._complete(upload, token)
        await self._release(upload.id, token, received)
        upload.received = received
        return upload

    async def _complete(self, upload: ResumableUpload, token: str) -> ResumableUpload:
        """Move the bytes into storage and record the stored file and the finished upload in one transaction."""
        size = await self._renewing(
            upload.id, token, self._ctx.partial_uploads.complete(upload.id, self._ctx.storage, upload.id)
        )
        stored = StoredFile(
            id=upload.id,
            user_id=upload.user_id,
            filename=upload.filename,
            size=size,
            content_type=content_type_for(upload.filename),
            created_at=self._ctx.clock.now(),
        )
        async with self._ctx.uow() as uow:
            if not await uow.resumable_uploads.release(upload.id, token, size, finished=True):
                raise UploadConflict("the upload was taken over by another request")
            await uow.files.add(stored)
            await uow.commit()
        upload.received, upload.finished, upload.lease, upload.lease_until = size, True, "", None
        return upload

    async def _remove(self, upload_id: str) -> None:
        """Bytes first, then the record: a crash in between leaves a record the next sweep finishes."""
        await self._ctx.partial_uploads.remove(upload_id)
        async with self._ctx.uow() as uow:
            await uow.resumable_uploads.delete(upload_id)
            await uow.commit()

    async def _remove_finished(self, upload: ResumableUpload) -> None:
        async with self._ctx.uow() as uow:
            if not await uow.files.delete_if_unlinked(upload.id):
                stored = await uow.files.get(upload.id)
                if stored is not None and not stored.deleted:
                    raise AlreadyInLibrary(f"upload {upload.id} is a file a video uses")
            await uow.resumable_uploads.delete(upload.id)
            await uow.commit()
        await self._ctx.storage.delete(upload.id)
