from __future__ import annotations

from typing import Protocol


class MediaLinks(Protocol):
    def file_url(self, storage_id: str) -> str:
        """The public URL where the stored file ``storage_id`` is served."""
        ...
