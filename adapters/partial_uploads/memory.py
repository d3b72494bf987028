"""Unfinished resumable uploads in memory, for embedding and tests (nothing survives the process)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from vod_core.errors import NotFound
from vod_core.ports.partial_uploads import PartialUploads
from vod_core.ports.storage import ObjectStorage


class MemoryPartialUploads(PartialUploads):
    def __init__(self) -> None:
        self.uploads: dict[str, bytearray] = {}

    def _get(self, upload_id: str) -> bytearray:
        try:
            return self.uploads[upload_id]
        except KeyError:
            raise NotFound("the upload's bytes are gone") from None

    async def create(self, upload_id: str) -> None:
        self.uploads[upload_id] = bytearray()

    async def append(self, upload_id: str, offset: int, chunks: AsyncIterator[bytes]) -> int:
        data = self._get(upload_id)
        del data[offset:]
        async for chunk in chunks:
            data += chunk
        return len(data) - offset

    async def stored_length(self, upload_id: str) -> int:
        return len(self._get(upload_id))

    async def truncate(self, upload_id: str, length: int) -> None:
        del self._get(upload_id)[length:]

    async def complete(self, upload_id: str, storage: ObjectStorage, key: str) -> int:
        if upload_id not in self.uploads and await storage.exists(key):
            return (await storage.stat(key)).size
        data = bytes(self._get(upload_id))

        async def whole() -> AsyncIterator[bytes]:
            yield data

        size = await storage.write(key, whole())
        del self.uploads[upload_id]
        return size

    async def remove(self, upload_id: str) -> None:
        self.uploads.pop(upload_id, None)
