"""Stored files as plain files under one directory.

Writes go to a temp file in the same directory tree and are renamed into
place only when complete, so a reader never sees half a file and a failed
or oversized upload leaves nothing behind. All file I/O but ``stat`` runs in
the default thread pool: a multi-GB upload must not stall the event loop
serving others.

Every write ends in ``os.replace`` onto a new inode, so the inode number
and modification time of the object make its ETag.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import BinaryIO

from adapters.storage.keys import checked, is_key
from adapters.temp_sweep import marked, sweep
from adapters.threads import in_thread
from vod_core.errors import NotFound, UploadTooLarge
from vod_core.ports.storage import ObjectInfo, ObjectStorage

WRITE_BUFFER = 1024 * 1024
"""Bytes gathered before one write in a thread: request chunks are ~64 KiB, a hop per chunk costs more."""

READ_CHUNK = 256 * 1024
"""Bytes read per thread hop when streaming an object out: the memory one download holds."""

TEMP_PREFIXES = ("upload-", "import-")



class LocalStorage(ObjectStorage):
    def __init__(self, root: str) -> None:
        self.root = os.path.abspath(root)
        self._objects = os.path.join(self.root, "objects")
        self._tmp = os.path.join(self.root, "tmp")
        os.makedirs(self._objects, exist_ok=True)
        os.makedirs(self._tmp, exist_ok=True)
        sweep(self._tmp, TEMP_PREFIXES)  # what a killed upload left behind

    def path_of(self, key: str) -> str:
        """Where ``key`` lives; keys are ids, anything path-like is refused."""
        return os.path.join(self._objects, checked(key))

    def _temp_file(self) -> tuple[BinaryIO, str]:
        fd, path = tempfile.mkstemp(dir=self._tmp, prefix=marked("upload-"))
        return os.fdopen(fd, "wb"), path

    async def write(self, key: str, chunks: AsyncIterator[bytes], max_bytes: int | None = None) -> int:
        target = self.path_of(key)
        handle, temp_path = await in_thread(self._temp_file)
        size = 0
        buffer = bytearray()
        try:
            async for chunk in chunks:
                size += len(chunk)
                if max_bytes is not None and size > max_bytes:
                    raise UploadTooLarge(max_bytes)
                buffer += chunk
                if len(buffer) >= WRITE_BUFFER:
                    await in_thread(handle.write, bytes(buffer))
                    buffer.clear()
            if buffer:
                await in_thread(handle.write, bytes(buffer))
            await in_thread(handle.close)
            await in_thread(os.replace, temp_path, target)
        except BaseException:
            await asyncio.shield(in_thread(_discard, handle, temp_path))
            raise
        return size

    async def import_file(self, key: str, local_path: str) -> int:
        target = self.path_of(key)
        return await in_thread(self._copy_in, local_path, target)

    def _copy_in(self, source: str, target: str) -> int:
        fd, temp_path = tempfile.mkstemp(dir=self._tmp, prefix=marked("import-"))
        os.close(fd)
        try:
            shutil.copyfile(source, temp_path)
            os.replace(temp_path, target)
        except BaseException:
            _remove(temp_path)
            raise
        return os.path.getsize(target)

    async def local_path(self, key: str) -> str:
        path = self.path_of(key)
        if not await in_thread(os.path.isfile, path):
            raise NotFound(f"stored file {key} not found")
        return path

    def local_file(self, key: str) -> str | None:
        return self.path_of(key)

    async def stat(self, key: str) -> ObjectInfo:
        path = self.path_of(key)
        try:
            # Inline: a metadata lookup takes microseconds, a hop to a thread and back costs a download
            # of a 1 MiB range about a third of a millisecond on a busy 2-core machine (bench/serve.py).
            found = os.stat(path)
        except FileNotFoundError:
            raise NotFound(f"stored file {key} not found") from None
        return ObjectInfo(
            size=found.st_size,
            etag=f"{found.st_ino:x}-{found.st_mtime_ns:x}-{found.st_size:x}",
            last_modified=datetime.fromtimestamp(found.st_mtime, UTC),
        )

    async def open_range(self, key: str, start: int, length: int) -> AsyncGenerator[bytes, None]:
        if start < 0 or length < 0:
            raise ValueError(f"a range starts and lasts at least 0 bytes, not {start}+{length}")
        path = self.path_of(key)
        try:
            handle: BinaryIO = await in_thread(open, path, "rb")
        except FileNotFoundError:
            raise NotFound(f"stored file {key} not found") from None
        try:
            await in_thread(handle.seek, start)
            left = length
            while left > 0:
                data = await in_thread(handle.read, min(READ_CHUNK, left))
                if not data:
                    return
                left -= len(data)
                yield data
        finally:
            await asyncio.shield(in_thread(handle.close))

    async def delete(self, key: str) -> None:
        try:
            path = self.path_of(key)
        except NotFound:
            return
        await in_thread(_remove, path)

    async def keys_older_than(self, moment: datetime) -> AsyncIterator[str]:
        cutoff = moment.timestamp()
        entries = await in_thread(os.scandir, self._objects)
        try:
            while True:
                keys, done = await in_thread(_old_keys, entries, cutoff)
                for key in keys:
                    yield key
                if done:
                    return
        finally:
            await asyncio.shield(in_thread(entries.close))

    async def exists(self, key: str) -> bool:
        try:
            path = self.path_of(key)
        except NotFound:
            return False
        return await in_thread(os.path.isfile, path)

    async def forget_deleted_copies(self) -> int:
        return 0  # local_path is the object itself: there are no copies


LIST_BATCH = 1000
"""Directory entries read per thread hop when listing objects."""


def _old_keys(entries: Iterator[os.DirEntry[str]], cutoff: float) -> tuple[list[str], bool]:
    """Of the next ``LIST_BATCH`` entries, the object keys last modified before ``cutoff``; and whether that was all."""
    keys: list[str] = []
    for _ in range(LIST_BATCH):
        entry = next(entries, None)
        if entry is None:
            return keys, True
        try:
            if is_key(entry.name) and entry.is_file(follow_symlinks=False) and entry.stat().st_mtime < cutoff:
                keys.append(entry.name)
        except FileNotFoundError:  # deleted meanwhile
            continue
    return keys, False


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def _discard(handle: BinaryIO, path: str) -> None:
    handle.close()
    _remove(path)
