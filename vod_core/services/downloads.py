"""Downloads: who may fetch a file URL, what it serves, and its bytes through the storage port."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass
from datetime import datetime

from vod_core.errors import CheckStorageIdFailed, NotFound
from vod_core.ids import MAX_ID_LENGTH
from vod_core.media_types import DOWNLOAD_TYPE, is_inline
from vod_core.services.access import MediaAccess, MediaQuery, Permit
from vod_core.services.context import Context
from vod_core.services.failures import fails_as


@dataclass(frozen=True)
class Download:
    """A file as it is about to be served.

    ``video_id`` is the video whose traffic the bytes count as ("" for a
    file not linked to a video: nobody is charged). ``inline`` is False for
    types the service does not serve as they are: ``content_type`` is then
    ``application/octet-stream`` and the file goes out as an attachment
    named ``filename``. ``permit`` says who is fetching it (caching).
    ``local_file`` is where the bytes lie on this machine when the storage
    keeps them in a file a server may send from directly (see
    ``ObjectStorage.local_file``), else ``None``: then they come from
    :meth:`Downloads.read`.
    """

    storage_id: str
    content_type: str
    size: int
    etag: str
    last_modified: datetime
    video_id: str
    permit: Permit
    local_file: str | None = None
    inline: bool = True
    filename: str = ""


class Downloads:
    def __init__(self, ctx: Context, access: MediaAccess) -> None:
        self._ctx = ctx
        self._access = access

    @fails_as(CheckStorageIdFailed)
    async def open(self, storage_id: str, query: MediaQuery, user_id: str | None = None) -> Download:
        """The file ``storage_id`` if ``query`` (or ``user_id``, for an unlinked upload) may fetch it.

        404 (3102) when there is no such file or it is gone, or it is
        another user's unlinked upload; 403 (3108) when its video's media
        need a valid signature (API.md C1). The size is the storage's, not
        the recorded one: it is what ranges are taken from. A URL is not a
        parameter the caller chose, so an id no file can have is simply not
        found (and never reaches the store).
        """
        if not (0 < len(storage_id) <= MAX_ID_LENGTH and storage_id.isprintable()):
            raise NotFound(f"file {storage_id} not found")
        stored, permit = await self._access.stored_file(storage_id, query, user_id)
        info = await self._ctx.storage.stat(stored.id)
        inline = is_inline(stored.content_type)
        return Download(
            storage_id=stored.id,
            content_type=stored.content_type if inline else DOWNLOAD_TYPE,
            size=info.size,
            etag=info.etag,
            last_modified=info.last_modified,
            video_id=stored.video_id,
            permit=permit,
            local_file=self._ctx.storage.local_file(stored.id),
            inline=inline,
            filename=stored.filename,
        )

    def read(self, download: Download, start: int, length: int) -> AsyncGenerator[bytes, None]:
        """Bytes ``[start, start + length)`` of the file, streamed in bounded chunks.

        The range must lie within ``download.size`` (the caller parsed it
        against that size); anything else is a programming error.
        """
        if start < 0 or length < 0 or start + length > download.size:
            raise ValueError(f"range {start}+{length} is outside the file of {download.size} bytes")
        return self._ctx.storage.open_range(download.storage_id, start, length)
