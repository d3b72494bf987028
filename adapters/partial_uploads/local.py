"""Unfinished resumable uploads as one file each under a directory, appended in place.

Each append opens the file, cuts it at the committed offset (bytes a
killed request wrote past it were never committed), writes what arrives in
batches (starting each batch's writeback at once) and fsyncs before
returning: only then does the use case commit the new offset. File I/O
runs in the default thread pool so a multi-GB upload does not stall the
event loop. Completion renames the file into
:class:`LocalStorage` when it is on the same filesystem, else imports it.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
from collections.abc import AsyncIterator
from typing import BinaryIO

from adapters.storage.keys import is_key
from adapters.storage.local import LocalStorage
from adapters.threads import in_thread
from vod_core.errors import NotFound
from vod_core.ports.partial_uploads import PartialUploads
from vod_core.ports.storage import ObjectStorage

WRITE_BUFFER = 1024 * 1024
"""Bytes gathered before one write in a thread (request chunks are ~64 KiB; a thread hop per chunk costs more)."""




class LocalPartialUploads(PartialUploads):
    def __init__(self, root: str) -> None:
        self.root = os.path.abspath(root)
        os.makedirs(self.root, exist_ok=True)

    def path_of(self, upload_id: str) -> str:
        if not is_key(upload_id):
            raise NotFound(f"upload {upload_id!r} not found")
        return os.path.join(self.root, upload_id)

    async def create(self, upload_id: str) -> None:
        await in_thread(_create, self.path_of(upload_id))

    async def append(self, upload_id: str, offset: int, chunks: AsyncIterator[bytes]) -> int:
        handle = await in_thread(_open_at, self.path_of(upload_id), offset)
        written = 0
        buffer = bytearray()
        try:
            async for chunk in chunks:
                buffer += chunk
                if len(buffer) >= WRITE_BUFFER:
                    await in_thread(_write, handle, bytes(buffer))
                    written += len(buffer)
                    buffer.clear()
            if buffer:
                await in_thread(_write, handle, bytes(buffer))
                written += len(buffer)
                buffer.clear()
            await in_thread(_sync, handle)
        finally:
            # What arrived before an interruption is written too: the client resumes after it.
            await asyncio.shield(in_thread(_flush_and_close, handle, bytes(buffer) if buffer else b""))
        return written

    async def stored_length(self, upload_id: str) -> int:
        return await in_thread(_synced_size, self.path_of(upload_id))

    async def truncate(self, upload_id: str, length: int) -> None:
        await in_thread(os.truncate, self.path_of(upload_id), length)

    async def complete(self, upload_id: str, storage: ObjectStorage, key: str) -> int:
        source = self.path_of(upload_id)
        if not await in_thread(os.path.exists, source) and await storage.exists(key):
            return (await storage.stat(key)).size  # moved before a crash
        if isinstance(storage, LocalStorage):
            try:
                await in_thread(os.replace, source, storage.path_of(key))
                return (await storage.stat(key)).size
            except OSError as exc:
                if exc.errno != errno.EXDEV:
                    raise
        size = await storage.import_file(key, source)
        await self.remove(upload_id)
        return size

    async def remove(self, upload_id: str) -> None:
        try:
            path = self.path_of(upload_id)
        except NotFound:
            return
        await in_thread(_remove, path)


def _create(path: str) -> None:
    with open(path, "wb") as handle:
        os.fsync(handle.fileno())


def _open_at(path: str, offset: int) -> BinaryIO:
    try:
        handle = open(path, "r+b")  # noqa: SIM115 -- closed by the caller, after the appends
    except FileNotFoundError:
        raise NotFound("the upload's bytes are gone") from None
    handle.truncate(offset)
    handle.seek(offset)
    return handle


def _write(handle: BinaryIO, data: bytes) -> None:
    """Write ``data`` and have the kernel start writing it to disk at once, while the rest of the chunk arrives.

    Without that, the fsync that ends each append waited for all of its
    bytes (about 10 ms per 8 MiB here); started early, little is left for
    it. On Linux ``POSIX_FADV_DONTNEED`` starts writeback of the range
    (pages still dirty or under writeback stay cached); elsewhere the hint is
    skipped.
    """
    start = handle.tell()
    handle.write(data)
    handle.flush()
    if hasattr(os, "posix_fadvise"):
        os.posix_fadvise(handle.fileno(), start, len(data), os.POSIX_FADV_DONTNEED)


def _sync(handle: BinaryIO) -> None:
    handle.flush()
    os.fsync(handle.fileno())


def _flush_and_close(handle: BinaryIO, tail: bytes) -> None:
    """Write an interrupted append's last batch and close; its durability is :meth:`stored_length`'s."""
    try:
        if tail and not handle.closed:
            handle.write(tail)
    finally:
        handle.close()


def _synced_size(path: str) -> int:
    """The size first, then fsync: every byte counted was written before the sync, so it is durable."""
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        raise NotFound("the upload's bytes are gone") from None
    try:
        size = os.fstat(fd).st_size
        os.fsync(fd)
        return size
    finally:
        os.close(fd)


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
