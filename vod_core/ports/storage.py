from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol


class ObjectStorage(Protocol):
    """Bytes of stored files, addressed by storage id (metadata lives in ``FileRepository``)."""

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

    async def delete(self, key: str) -> None:
        """Remove ``key``; removing a missing key is not an error."""
        ...

    async def exists(self, key: str) -> bool: ...
