from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class ObjectInfo:
    """What a download needs to know about stored bytes before sending them.

    ``etag`` is an opaque validator (no quotes) that changes whenever the
    bytes may have changed; ``last_modified`` is when they were written (UTC).
    """

    size: int
    etag: str
    last_modified: datetime


class ObjectStorage(Protocol):
    """Bytes of stored files, addressed by storage id (metadata lives in ``FileRepository``).

    A key is written whole or not at all: readers see either the previous
    version or the new one, never part of a write.
    """

    async def write(self, key: str, chunks: AsyncIterator[bytes], max_bytes: int | None = None) -> int:
        """Stream ``chunks`` into ``key``; returns the size written.

        Raises :class:`vod_core.errors.UploadTooLarge` (and keeps nothing)
        once more than ``max_bytes`` arrive.
        """
        ...

    async def import_file(self, key: str, local_path: str) -> int:
        """Store a file the service produced (cover, rendition); returns its size."""
        ...

    async def local_path(self, key: str) -> str:
        """A local file path media tools can read (a remote store downloads to a cache)."""
        ...

    def local_file(self, key: str) -> str | None:
        """The path of ``key``'s bytes on this machine, for a server to send straight from the file, or ``None``.

        ``None`` when the bytes are not in a local file the store keeps
        (memory, remote stores): the server then streams :meth:`open_range`.
        Unlike :meth:`local_path` it never copies or downloads anything and
        does not check that the key exists: the caller has just called
        :meth:`stat` and must cope with the file vanishing in between.
        """
        ...

    async def stat(self, key: str) -> ObjectInfo:
        """Size, validator and time of ``key``; :class:`vod_core.errors.NotFound` when it is missing."""
        ...

    def open_range(self, key: str, start: int, length: int) -> AsyncGenerator[bytes, None]:
        """Bytes ``[start, start + length)`` of ``key``, in chunks, holding one chunk in memory at a time.

        A generator, so a reader that stops early can ``aclose()`` it and
        release what it holds (a file, a connection) at once.

        Fewer bytes arrive when the object ends earlier. A missing key raises
        :class:`vod_core.errors.NotFound` on the first iteration; a negative
        ``start`` or ``length`` raises :class:`ValueError`.
        """
        ...

    async def delete(self, key: str) -> None:
        """Remove ``key``; removing a missing key is not an error."""
        ...

    async def exists(self, key: str) -> bool: ...

    async def forget_deleted_copies(self) -> int:
        """Remove this process's local copies (made for :meth:`local_path`) of objects deleted since.

        Deleting an object drops the deleting process's copy at once; other
        processes (workers) learn of it here. Returns how many copies went; a
        store that keeps no copies of its own returns 0.
        """
        ...

    def keys_older_than(self, moment: datetime) -> AsyncIterator[str]:
        """Keys of the objects last written before ``moment``, in no particular order.

        For garbage collection: an object written while the listing runs may
        or may not be listed, and one deleted meanwhile may still be.
        """
        ...
