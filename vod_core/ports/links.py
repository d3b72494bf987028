from __future__ import annotations

from typing import Protocol

from vod_core.signing import UrlGrant


class MediaLinks(Protocol):
    def file_url(self, storage_id: str, grant: UrlGrant | None, extension: str = "") -> str:
        """The URL of the stored file ``storage_id`` carrying ``grant`` (of the video the file belongs to).

        ``None`` gives the stable unsigned URL (public videos only serve it).
        ``extension`` (e.g. ``"mp4"``) ends the path with ``.<extension>``,
        which the file route ignores: FFmpeg-based HLS players pick the
        demuxer of a segment by its URL's extension and refuse one without.
        """
        ...

    def playlist_url(self, video_id: str, playlist: str, grant: UrlGrant | None) -> str:
        """The URL of the HLS playlist ``<playlist>.m3u8`` of ``video_id`` (``master``, ``<play set id>/media``)."""
        ...
