from __future__ import annotations

from datetime import datetime
from typing import Protocol

from vod_core.guesses import WrongGuesses


class GuessRepository(Protocol):
    """Wrong share-password guesses per (client, video), kept in the database so every process sees them."""

    async def get(self, client: str, video_id: str) -> WrongGuesses | None: ...

    async def add_failure(self, client: str, video_id: str, at: datetime, forget_before: datetime) -> int:
        """Count one more wrong guess made ``at``; returns the count.

        Counting starts again at 1 when the last wrong guess was made at or
        before ``forget_before``. Atomic: concurrent transactions each count
        theirs. A new record may be guessed again at once (``next_allowed_at = at``).
        """
        ...

    async def hold(self, client: str, video_id: str, until: datetime) -> None:
        """Refuse the client's guesses for the video before ``until``."""
        ...

    async def clear(self, client: str, video_id: str) -> None:
        """Forget the client's wrong guesses for the video (it gave the right password)."""
        ...

    async def delete_stale(self, last_failure_before: datetime) -> int:
        """Remove the records whose last wrong guess was made before the given moment; returns how many."""
        ...
