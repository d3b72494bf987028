from __future__ import annotations

from datetime import datetime
from typing import Protocol

from vod_core.resumable import ResumableUpload


class ResumableUploadRepository(Protocol):
    """The state of tus uploads. Every change that two requests could race is a compare-and-set.

    Several ``vod serve`` processes on one database decide here which of
    two PATCHes of one upload goes ahead: exactly one ``claim`` wins.
    """

    async def add(self, upload: ResumableUpload) -> None: ...

    async def get(self, upload_id: str) -> ResumableUpload | None: ...

    async def claim(self, upload_id: str, offset: int, token: str, now: datetime, until: datetime) -> bool:
        """Lease the upload to ``token`` until ``until``; True when this call did.

        Only an unfinished upload that has not expired at ``now``, holds
        exactly ``offset`` bytes and has no live lease (none, or lapsed
        before ``now``; a removal never lapses) can be claimed.
        """
        ...

    async def renew(self, upload_id: str, token: str, until: datetime) -> bool:
        """Extend ``token``'s lease; False when ``token`` no longer holds the upload."""
        ...

    async def release(self, upload_id: str, token: str, received: int, finished: bool = False) -> bool:
        """Record ``received`` (and ``finished``) and end ``token``'s lease; False when it no longer held it."""
        ...

    async def claim_for_removal(self, upload_id: str, now: datetime) -> bool:
        """Mark the upload as being removed unless a request holds a live lease; True when marked.

        An upload already marked (by a removal a crash interrupted) can be
        claimed again, so its removal can finish.
        """
        ...

    async def delete(self, upload_id: str) -> None:
        """Forget the upload (deleting a missing one is not an error)."""
        ...

    async def ended_before(self, moment: datetime, limit: int) -> list[ResumableUpload]:
        """Up to ``limit`` uploads whose ``expires_at`` is at or before ``moment``, finished or not, oldest first."""
        ...
