from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from vod_core.files import StoredFile
from vod_core.video import Video


@dataclass(frozen=True)
class FileWithVideo:
    """A stored file and the video it is linked to: ``None`` when it is unlinked or that video has no row."""

    file: StoredFile
    video: Video | None


class FileRepository(Protocol):
    async def add(self, stored: StoredFile) -> None: ...

    async def get(self, storage_id: str) -> StoredFile | None:
        """Any file, deleted ones included."""
        ...

    async def get_with_video(self, storage_id: str) -> FileWithVideo | None:
        """Any file, deleted ones included, with its video in one read (media requests ask for both every time)."""
        ...

    async def update(self, stored: StoredFile) -> None: ...

    async def live_for_video(self, video_id: str) -> list[StoredFile]: ...

    async def linked_size_sum(self, user_id: str) -> int:
        """Bytes of the user's non-deleted files that back a non-deleted video."""
        ...

    async def unlinked_size_sum(self, user_id: str, created_after: datetime) -> int:
        """Bytes of the user's non-deleted files that back no video and were created after ``created_after``."""
        ...

    async def mark_deleted(self, storage_ids: Sequence[str]) -> None: ...

    async def existing(self, storage_ids: Sequence[str]) -> set[str]:
        """Those of ``storage_ids`` that have a row (deleted ones included): what storage must keep."""
        ...

    async def link(self, storage_id: str, video_id: str) -> bool:
        """Link a non-deleted unlinked file to ``video_id``; False (nothing changed) when it is not one (any more)."""
        ...

    async def unlinked_before(self, cutoff: datetime, limit: int) -> list[StoredFile]:
        """Up to ``limit`` non-deleted files that back no video, created at or before ``cutoff``."""
        ...

    async def delete_if_unlinked(self, storage_id: str) -> bool:
        """Mark the file deleted if it is still a non-deleted unlinked file; True when this call did it.

        A compare-and-set: of two processes sweeping at once (or a sweep and
        a ``link``), exactly one wins, whatever the interleaving.
        """
        ...
