from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from vod_core.video import Video

LIVE_STORAGE_ID = "video_live_storage_id"
"""Uniqueness rule: one non-deleted video per (user, storage id)."""


@dataclass(frozen=True)
class VideoQuery:
    """Which of a user's non-deleted videos to list, newest first.

    ``search``: an exact video id, or a case-insensitive substring of the
    name; empty matches all. ``source_type``: exact match; None = any.
    """

    user_id: str
    search: str = ""
    source_type: str | None = None


class VideoRepository(Protocol):
    async def add(self, video: Video) -> None:
        """Raises UniqueViolation(LIVE_STORAGE_ID)."""
        ...

    async def get(self, video_id: str) -> Video | None:
        """Any video, deleted ones included."""
        ...

    async def get_many(self, video_ids: Sequence[str]) -> list[Video]: ...

    async def update(self, video: Video) -> None: ...

    async def find(self, query: VideoQuery, offset: int, limit: int) -> list[Video]: ...

    async def count(self, query: VideoQuery) -> int: ...

    async def list_unfinished(self) -> list[Video]:
        """Videos still waiting for or in processing (status 0 or 2), for recovery."""
        ...
