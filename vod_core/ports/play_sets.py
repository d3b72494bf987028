from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from vod_core.play_set import PlaySet

LIVE_TEMPLATE = "play_set_live_template"
"""Uniqueness rule: one non-deleted play set per (video, template)."""


class PlaySetRepository(Protocol):
    async def add(self, play_set: PlaySet) -> None:
        """Raises UniqueViolation(LIVE_TEMPLATE)."""
        ...

    async def get(self, play_set_id: str) -> PlaySet | None: ...

    async def update(self, play_set: PlaySet) -> None: ...

    async def live_for_videos(self, video_ids: Sequence[str]) -> list[PlaySet]:
        """Non-deleted play sets of these videos, oldest first."""
        ...

    async def list_unfinished(self) -> list[PlaySet]:
        """Play sets in a transient status (0, 2, 3, 5), for recovery."""
        ...
