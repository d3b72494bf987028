"""A bounded local cache of stored objects, for media tools that read files (``ObjectStorage.local_path``).

A worker transcodes from a local file, so a remote store's object is
downloaded first. The copies live under one directory:
``objects/<key>`` is a complete copy, ``tmp/fetch-<pid>-…`` a download in
progress, renamed into ``objects/`` only once complete, so a killed
process never leaves a half file that looks whole; the next start sweeps
those temp files (:mod:`adapters.temp_sweep`) and rebuilds the index from
``objects/``, ordered by modification time (touched on every hit).

Objects are written once and never change, so a copy stays valid until
its key is deleted (:meth:`ObjectCache.drop`). The copies and the
downloads in flight together stay within ``max_bytes``: before a download
the least recently used copies are evicted to make room for it; a
download that cannot get room because other downloads hold it waits for
one of them to finish. Concurrent requests for one key share a single
download.

A path handed out may be evicted later, when other objects need the room:
a tool that has opened the file keeps reading it (the file is unlinked, not
truncated). A cache sized below the objects in use at once can thus make a
tool that had not yet opened its file miss it; size ``VOD_CACHE_BYTES``
well above the largest source (configuration refuses less than the upload
size limit).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tempfile
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Protocol

from adapters.storage.keys import checked, is_key
from adapters.temp_sweep import marked, sweep
from adapters.threads import in_thread
from vod_core.errors import NotFound, StorageUnavailable

log = logging.getLogger(__name__)

TEMP_PREFIX = "fetch-"


class Origin(Protocol):
    """Where the cached objects come from (the remote store)."""

    async def size(self, key: str) -> int:
        """Bytes of ``key``; :class:`NotFound` when it is missing."""
        ...

    async def download(self, key: str, path: str) -> int:
        """Write the whole of ``key`` into the (existing, empty) file ``path``; returns its size."""
        ...


class CacheTooSmall(StorageUnavailable):
    """An object larger than the whole cache: the deployment's ``VOD_CACHE_BYTES`` must grow."""



class ObjectCache:
    def __init__(self, directory: str, max_bytes: int, origin: Origin) -> None:
        self.max_bytes = max_bytes
        self._origin = origin
        self._objects = os.path.join(directory, "objects")
        self._tmp = os.path.join(directory, "tmp")
        os.makedirs(self._objects, exist_ok=True)
        os.makedirs(self._tmp, exist_ok=True)
        sweep(self._tmp, (TEMP_PREFIX,))  # downloads a killed process left half done
        self._last_use_ns = 0
        """The newest use stamped on a copy: stamps strictly increase, the clock's ticks are coarser than uses."""
        self._entries: OrderedDict[str, int] = self._index()
        """Complete copies: key -> size, least recently used first."""
        self._stored = sum(self._entries.values())
        self._reserved = 0
        """Bytes of the downloads in flight."""
        self._fetches: dict[str, asyncio.Future[str]] = {}
        self._dropped: set[str] = set()
        """Keys deleted while their download was in flight: the copy must not be kept."""
        self._room = asyncio.Condition()
        self._evict_down_to(max_bytes)  # the bound may have shrunk since the last run

    def _index(self) -> OrderedDict[str, int]:
        found: list[tuple[int, str, int]] = []
        for entry in os.scandir(self._objects):
            if is_key(entry.name) and entry.is_file(follow_symlinks=False):
                stat = entry.stat(follow_symlinks=False)
                found.append((stat.st_mtime_ns, entry.name, stat.st_size))
                self._last_use_ns = max(self._last_use_ns, stat.st_mtime_ns)
        return OrderedDict((key, size) for _, key, size in sorted(found))

    @property
    def used_bytes(self) -> int:
        """Bytes of the copies plus those reserved by downloads in flight."""
        return self._stored + self._reserved

    def keys(self) -> list[str]:
        """The keys of the complete copies, least recently used first."""
        return list(self._entries)

    def _target(self, key: str) -> str:
        return os.path.join(self._objects, key)

    async def path(self, key: str) -> str:
        """A local file holding ``key``'s bytes, downloaded unless a copy is here; :class:`NotFound` when missing."""
        target = self._target(checked(key))
        if key in self._entries:
            try:
                self._stamp_use(target)
            except FileNotFoundError:  # removed behind our back: download it again
                self._forget(key)
            else:
                self._entries.move_to_end(key)
                return target
        fetch = self._fetches.get(key)
        if fetch is None:
            fetch = self._fetches[key] = asyncio.ensure_future(self._fetch(key))
            fetch.add_done_callback(lambda done: self._fetched(key, done))
        # Shielded: a waiter that gives up must not cancel the download the others wait for.
        return await asyncio.shield(fetch)

    def _stamp_use(self, path: str) -> None:
        """Record a use in the file's modification time: the order the next start's index is rebuilt in."""
        self._last_use_ns = max(time.time_ns(), self._last_use_ns + 1)
        os.utime(path, ns=(self._last_use_ns, self._last_use_ns))

    def _fetched(self, key: str, done: asyncio.Future[str]) -> None:
        if self._fetches.get(key) is done:
            del self._fetches[key]
        self._dropped.discard(key)
        if not done.cancelled():
            done.exception()  # retrieved, even when every waiter went away

    async def _fetch(self, key: str) -> str:
        expected = await self._origin.size(key)
        if expected > self.max_bytes:
            raise CacheTooSmall(f"object {key} has {expected} bytes, more than the whole cache ({self.max_bytes})")
        await self._reserve(expected)
        try:
            fd, temp = await in_thread(tempfile.mkstemp, "", marked(TEMP_PREFIX), self._tmp)
            os.close(fd)
            try:
                size = await self._origin.download(key, temp)
                if key in self._dropped:
                    raise NotFound(f"stored file {key} was deleted")
                self._stamp_use(temp)
                await in_thread(os.replace, temp, self._target(key))
            except BaseException:
                await asyncio.shield(in_thread(_remove, temp))
                raise
            self._entries[key] = size
            self._stored += size
        finally:
            await self._release(expected)
        return self._target(key)

    async def _reserve(self, size: int) -> None:
        async with self._room:
            while True:
                self._evict_down_to(self.max_bytes - self._reserved - size)
                if self.used_bytes + size <= self.max_bytes:
                    break
                await self._room.wait()  # the room is held by other downloads: one finishing frees some
            self._reserved += size

    async def _release(self, size: int) -> None:
        async with self._room:
            self._reserved -= size
            self._room.notify_all()

    def _evict_down_to(self, stored_bytes: int) -> None:
        """Evict least recently used copies until at most ``stored_bytes`` are stored (or none are)."""
        while self._entries and self._stored > stored_bytes:
            key = next(iter(self._entries))
            log.debug("evicting %s from the object cache", key)
            self._forget(key)

    async def forget_missing(self, exists: Callable[[str], Awaitable[bool]]) -> int:
        """Remove the copies of keys ``exists`` no longer finds (deleted by another process); returns how many.

        Copies being downloaded are left alone (their download fails if the
        key is gone).
        """
        forgotten = 0
        for key in list(self._entries):
            if key in self._fetches or await exists(key):
                continue
            if key in self._entries:
                log.info("forgetting the cached copy of %s: deleted from the store", key)
                self._forget(key)
                forgotten += 1
        return forgotten

    def drop(self, key: str) -> None:
        """Forget ``key`` (deleted from the store): its copy goes, a download in flight is discarded."""
        if not is_key(key):
            return
        if key in self._fetches:
            self._dropped.add(key)
        if key in self._entries:
            self._forget(key)

    def _forget(self, key: str) -> None:
        self._stored -= self._entries.pop(key)
        _remove(self._target(key))


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
