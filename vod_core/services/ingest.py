"""Upload from URL (API.md C3): check a source URL, and download it into storage in the background.

The video exists from the start, in status 2 (uploading), with the storage id
its original will have; the download job streams the answer into
``ObjectStorage.write`` (whole or nothing) and only then records the
``StoredFile``. So a killed worker leaves no visible partial object, and the
redelivered job simply downloads again; a job that finds the file recorded
goes straight on to probing.
"""

from __future__ import annotations

import logging
import posixpath
from urllib.parse import unquote, urlsplit

from vod_core.errors import InvalidParameter, UploadFromUrlFailed, UploadTooLarge
from vod_core.files import StoredFile
from vod_core.media_types import content_type_for
from vod_core.ports.sources import SourceUnavailable
from vod_core.reasons import short_reason
from vod_core.services.context import Context
from vod_core.services.failures import fails_as
from vod_core.services.validation import require_text
from vod_core.url_guard import UnsafeUrl, check_url
from vod_core.video import MAX_NAME_LENGTH, Video, VideoStatus

log = logging.getLogger(__name__)

MAX_SOURCE_URL_LENGTH = 2048
DOWNLOAD_FAILED = "download failed"
"""The start of every failure reason of a download (``download failed: HTTP 404``)."""


def require_source_url(url: str, *, allow_private: bool) -> str:
    """A source URL the service will fetch: http(s), a host with one spelling, public unless allowed."""
    require_text("source_url", url, max_length=MAX_SOURCE_URL_LENGTH)
    try:
        check_url(url, allow_private=allow_private)
    except UnsafeUrl as exc:
        raise InvalidParameter("source_url", str(exc)) from None
    return url


def source_name(url: str) -> str:
    """A video name from a URL: its last path segment, decoded (``clip.mp4``), else its host."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:  # not a URL: only checked ones are named, but stay total
        return "video"
    name = posixpath.basename(unquote(parts.path).rstrip("/"))
    printable = "".join(ch for ch in name if ch.isprintable()).strip()
    return (printable or host or "video")[:MAX_NAME_LENGTH]


class SourceDownloads:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    # Background work: the code reaches the logs (and the failure reason), never a client directly.
    @fails_as(UploadFromUrlFailed)
    async def download(self, video_id: str) -> bool:
        """Fetch the original of a video created from a URL; True when it is stored and may be probed.

        False when there is nothing to do (the video is gone, or not
        waiting for a download) or the download failed: the video is then
        in status 3 with the cause as its ``failure_reason``.
        """
        async with self._ctx.reader() as uow:
            video = await uow.videos.get(video_id)
            if video is None or video.status != VideoStatus.UPLOADING or not video.source_url:
                return False
            if await uow.files.get(video.storage_id) is not None:
                return True  # stored by an earlier run that stopped before probing
        limit = self._ctx.max_upload_bytes
        try:
            async with self._ctx.sources.open(video.source_url, limit) as source:
                size = await self._ctx.storage.write(video.storage_id, source.chunks, limit)
        except SourceUnavailable as exc:
            await self._fail(video_id, str(exc))
            return False
        except UploadTooLarge:
            await self._fail(video_id, "too large")
            return False
        # Only the host: a source URL's path and query may carry the owner's access token.
        log.info("video %s: downloaded %d bytes from %s", video_id, size, urlsplit(source.url).netloc)
        return await self._record(video, size)

    async def _record(self, downloaded: Video, size: int) -> bool:
        """Record the stored original, unless the video was deleted meanwhile (then its bytes go)."""
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            video = await uow.videos.get(downloaded.id)
            if video is not None and video.status == VideoStatus.UPLOADING:
                name = source_name(video.source_url)
                kind = content_type_for(name)
                original = StoredFile(video.storage_id, video.user_id, name, size, kind, now, video.id)
                await uow.files.add(original)
                video.file_size = size
                video.updated_at = now
                await uow.videos.update(video)
                await uow.commit()
                return True
        await self._ctx.storage.delete(downloaded.storage_id)
        return False

    async def _fail(self, video_id: str, cause: str) -> None:
        reason = short_reason(f"{DOWNLOAD_FAILED}: {cause}")
        failure = UploadFromUrlFailed
        log.warning("video %s: %s (%d): %s", video_id, failure.default_message, failure.code, reason)
        async with self._ctx.uow() as uow:
            video = await uow.videos.get(video_id)
            if video is None or video.status != VideoStatus.UPLOADING:
                return
            video.move_to(VideoStatus.UPLOAD_FAILED, self._ctx.clock.now())
            video.failure_reason = reason
            await uow.videos.update(video)
            await uow.commit()
