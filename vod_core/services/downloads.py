"""Downloads: what a file URL serves, and its bytes through the storage port."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass
from datetime import datetime

from vod_core.errors import CheckStorageIdFailed
from vod_core.services.context import Context
from vod_core.services.failures import fails_as
from vod_core.services.uploads import Uploads


@dataclass(frozen=True)
class Download:
    """A file as it is about to be served.

    ``video_id`` is the video whose traffic the bytes count as ("" for a
    file not linked to a video: nobody is charged). ``local_file`` is where
    the bytes lie on this machine when the storage keeps them in a file a
    server may send from directly (see ``ObjectStorage.local_file``), else
    ``None``: then they come from :meth:`Downloads.read`.
    """

    storage_id: str
    content_type: str
    size: int
    etag: str
    last_modified: datetime
    video_id: str
    local_file: str | None = None


class Downloads:
    def __init__(self, ctx: Context, uploads: Uploads) -> None:
        self._ctx = ctx
        self._uploads = uploads

    @fails_as(CheckStorageIdFailed)
    async def open(self, storage_id: str) -> Download:
        """The public file ``storage_id`` (same rules as :meth:`Uploads.public_file`) with its stored size.

        The size is the storage's, not the recorded one: it is what ranges
        are taken from. A file whose bytes are gone is 3102.
        """
        stored = await self._uploads.public_file(storage_id)
        info = await self._ctx.storage.stat(stored.id)
        return Download(
            storage_id=stored.id,
            content_type=stored.content_type,
            size=info.size,
            etag=info.etag,
            last_modified=info.last_modified,
            video_id=stored.video_id,
            local_file=self._ctx.storage.local_file(stored.id),
        )

    def read(self, download: Download, start: int, length: int) -> AsyncGenerator[bytes, None]:
        """Bytes ``[start, start + length)`` of the file, streamed in bounded chunks.

        The range must lie within ``download.size`` (the caller parsed it
        against that size); anything else is a programming error.
        """
        if start < 0 or length < 0 or start + length > download.size:
            raise ValueError(f"range {start}+{length} is outside the file of {download.size} bytes")
        return self._ctx.storage.open_range(download.storage_id, start, length)
