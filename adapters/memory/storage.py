"""Object storage in memory; ``local_path`` spills a file to a private temp dir on demand."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import AsyncGenerator, AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

from vod_core.errors import NotFound, UploadTooLarge
from vod_core.ports.storage import ObjectInfo, ObjectStorage

READ_CHUNK = 256 * 1024


class MemoryStorage(ObjectStorage):
    """``objects`` may be changed directly (tests); the ETag is a digest of the bytes, so it follows.

    ``written`` holds when each key was last written (tests may set it, to age an object).
    """

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.written: dict[str, datetime] = {}
        self._spill = tempfile.TemporaryDirectory(prefix="vod-memory-storage-")

    async def write(self, key: str, chunks: AsyncIterator[bytes], max_bytes: int | None = None) -> int:
        data = bytearray()
        async for chunk in chunks:
            data += chunk
            if max_bytes is not None and len(data) > max_bytes:
                raise UploadTooLarge(max_bytes)
        self._put(key, bytes(data))
        return len(data)

    async def import_file(self, key: str, local_path: str) -> int:
        self._put(key, Path(local_path).read_bytes())
        return len(self.objects[key])

    def _put(self, key: str, data: bytes) -> None:
        self.objects[key] = data
        self.written[key] = datetime.now(UTC)

    def _get(self, key: str) -> bytes:
        try:
            return self.objects[key]
        except KeyError:
            raise NotFound(f"stored file {key} not found") from None

    async def stat(self, key: str) -> ObjectInfo:
        data = self._get(key)
        return ObjectInfo(
            size=len(data),
            etag=hashlib.blake2b(data, digest_size=16).hexdigest(),
            last_modified=self.written.get(key) or datetime.now(UTC),
        )

    async def open_range(self, key: str, start: int, length: int) -> AsyncGenerator[bytes, None]:
        if start < 0 or length < 0:
            raise ValueError(f"a range starts and lasts at least 0 bytes, not {start}+{length}")
        data = memoryview(self._get(key))[start : start + length]
        for offset in range(0, len(data), READ_CHUNK):
            yield bytes(data[offset : offset + READ_CHUNK])

    async def local_path(self, key: str) -> str:
        if key not in self.objects:
            raise NotFound(f"stored file {key} not found")
        path = os.path.join(self._spill.name, key)
        Path(path).write_bytes(self.objects[key])
        return path

    def local_file(self, key: str) -> str | None:
        return None  # the bytes live in this process: they are streamed

    async def delete(self, key: str) -> None:
        self.objects.pop(key, None)
        self.written.pop(key, None)
        Path(self._spill.name, key).unlink(missing_ok=True)

    async def exists(self, key: str) -> bool:
        return key in self.objects

    async def forget_deleted_copies(self) -> int:
        return 0  # local_path spills the current bytes again on every call

    async def keys_older_than(self, moment: datetime) -> AsyncIterator[str]:
        for key in list(self.objects):
            written = self.written.get(key)
            if written is not None and written < moment:
                yield key
