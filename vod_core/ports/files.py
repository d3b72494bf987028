from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from vod_core.files import StoredFile


class FileRepository(Protocol):
    async def add(self, stored: StoredFile) -> None: ...

    async def get(self, storage_id: str) -> StoredFile | None:
        """Any file, deleted ones included."""
        ...

    async def update(self, stored: StoredFile) -> None: ...

    async def live_for_video(self, video_id: str) -> list[StoredFile]: ...

    async def linked_size_sum(self, user_id: str) -> int:
        """Bytes of the user's non-deleted files that back a non-deleted video."""
        ...

    async def mark_deleted(self, storage_ids: Sequence[str]) -> None: ...

    async def existing(self, storage_ids: Sequence[str]) -> set[str]:
        """Those of ``storage_ids`` that have a row (deleted ones included): what storage must keep."""
        ...
