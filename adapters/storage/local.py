"""Stored files as plain files under one directory.

Writes go to a temp file in the same directory tree and are renamed into
place only when complete, so a reader never sees half a file and a failed
or oversized upload leaves nothing behind. All file I/O runs in the default
thread pool: a multi-GB upload must not stall the event loop serving others.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable
from typing import BinaryIO, TypeVar

from adapters.temp_sweep import marked, sweep
from vod_core.errors import NotFound, UploadTooLarge
from vod_core.ports.storage import ObjectStorage

T = TypeVar("T")

WRITE_BUFFER = 1024 * 1024
"""Bytes gathered before one write in a thread: request chunks are ~64 KiB, a hop per chunk costs more."""

TEMP_PREFIXES = ("upload-", "import-")
_KEY = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


async def _in_thread(func: Callable[..., T], *args: object) -> T:
    return await asyncio.get_running_loop().run_in_executor(None, func, *args)


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
        if not _KEY.match(key):
            raise NotFound(f"stored file {key!r} not found")
        return os.path.join(self._objects, key)

    def _temp_file(self) -> tuple[BinaryIO, str]:
        fd, path = tempfile.mkstemp(dir=self._tmp, prefix=marked("upload-"))
        return os.fdopen(fd, "wb"), path

    async def write(self, key: str, chunks: AsyncIterator[bytes], max_bytes: int | None = None) -> int:
        target = self.path_of(key)
        handle, temp_path = await _in_thread(self._temp_file)
        size = 0
        buffer = bytearray()
        try:
            async for chunk in chunks:
                size += len(chunk)
                if max_bytes is not None and size > max_bytes:
                    raise UploadTooLarge(max_bytes)
                buffer += chunk
                if len(buffer) >= WRITE_BUFFER:
                    await _in_thread(handle.write, bytes(buffer))
                    buffer.clear()
            if buffer:
                await _in_thread(handle.write, bytes(buffer))
            await _in_thread(handle.close)
            await _in_thread(os.replace, temp_path, target)
        except BaseException:
            await asyncio.shield(_in_thread(_discard, handle, temp_path))
            raise
        return size

    async def import_file(self, key: str, local_path: str) -> int:
        target = self.path_of(key)
        return await _in_thread(self._copy_in, local_path, target)

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
        if not await _in_thread(os.path.isfile, path):
            raise NotFound(f"stored file {key} not found")
        return path

    async def delete(self, key: str) -> None:
        try:
            path = self.path_of(key)
        except NotFound:
            return
        await _in_thread(_remove, path)

    async def exists(self, key: str) -> bool:
        try:
            path = self.path_of(key)
        except NotFound:
            return False
        return await _in_thread(os.path.isfile, path)


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def _discard(handle: BinaryIO, path: str) -> None:
    handle.close()
    _remove(path)
