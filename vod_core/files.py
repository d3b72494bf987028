"""Stored files: the metadata of what the storage port holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass
class StoredFile:
    """An object in storage, owned by one user.

    ``video_id`` links the file to the one video it backs (original, cover
    or rendition): it decides whose traffic a download is, and a linked file
    cannot back a second video. ``deleted`` files are no longer served; their
    bytes are removed from storage after the deleting transaction commits.
    """

    id: str
    user_id: str
    filename: str
    size: int
    content_type: str
    created_at: datetime
    video_id: str = ""
    deleted: bool = False
