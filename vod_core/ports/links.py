from __future__ import annotations

from typing import Protocol

from vod_core.signing import UrlGrant


class MediaLinks(Protocol):
    def file_url(self, storage_id: str, grant: UrlGrant) -> str:
        """The URL of the stored file ``storage_id`` carrying ``grant`` (of the video the file belongs to)."""
        ...
