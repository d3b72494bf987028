"""Resumable uploads (tus 1.0, API.md C3): an upload that arrives in chunks, over several requests.

The upload's id is the storage id of the file it becomes: the last byte turns
it into a normal :class:`vod_core.files.StoredFile` with that id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

UPLOAD_LIFETIME = timedelta(hours=24)
"""An unfinished upload expires this long after its creation; its bytes are removed."""

LEASE = timedelta(seconds=60)
"""How long a PATCH holds an upload without renewing its lease.

A process killed mid-PATCH leaves its lease behind: the client's retry is
answered 409 until it lapses. A live PATCH renews it well before (see
``LEASE_RENEWAL``), so only a dead one loses it.
"""

LEASE_RENEWAL = timedelta(seconds=15)
"""A streaming PATCH renews its lease once this much time passed since the last renewal."""

REMOVAL = "removal"
"""The lease of an upload being removed (terminated or expired): nothing claims it any more."""


@dataclass
class ResumableUpload:
    """One tus upload, owned by one user.

    ``received`` bytes (from the start) are stored durably; ``lease`` is the
    token of the one request writing to it now (empty: none), valid until
    ``lease_until``. ``metadata`` is the client's ``Upload-Metadata`` as it
    sent it, echoed back on ``HEAD``.
    """

    id: str
    user_id: str
    upload_length: int
    received: int
    filename: str
    metadata: str
    created_at: datetime
    expires_at: datetime
    finished: bool = False
    lease: str = ""
    lease_until: datetime | None = None

    def expired(self, now: datetime) -> bool:
        return not self.finished and now >= self.expires_at

    def leased(self, now: datetime) -> bool:
        """Whether a request holds the upload (a lapsed lease does not count, a removal always does)."""
        if self.lease == REMOVAL:
            return True
        return bool(self.lease) and self.lease_until is not None and now < self.lease_until
