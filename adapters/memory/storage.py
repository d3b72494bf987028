"""Object storage in memory; ``local_path`` spills a file to a private temp dir on demand."""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from vod_core.errors import NotFound, UploadTooLarge
from vod_core.ports.storage import ObjectStorage


class MemoryStorage(ObjectStorage):
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self._spill = tempfile.TemporaryDirectory(prefix="vod-memory-storage-")

    async def write(self, key: str, chunks: AsyncIterator[bytes], max_bytes: int | None = None) -> int:
        data = bytearray()
        async for chunk in chunks:
            data += chunk
            if max_bytes is not None and len(data) > max_bytes:
                raise UploadTooLarge(max_bytes)
        self.objects[key] = bytes(data)
        return len(data)

    async def import_file(self, key: str, local_path: str) -> int:
        self.objects[key] = Path(local_path).read_bytes()
        return len(self.objects[key])

    async def local_path(self, key: str) -> str:
        if key not in self.objects:
            raise NotFound(f"stored file {key} not found")
        path = os.path.join(self._spill.name, key)
        Path(path).write_bytes(self.objects[key])
        return path

    async def delete(self, key: str) -> None:
        self.objects.pop(key, None)
        Path(self._spill.name, key).unlink(missing_ok=True)

    async def exists(self, key: str) -> bool:
        return key in self.objects
