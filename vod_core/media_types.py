"""Which stored types are served inline: only media the service produces or accepts as video or cover.

Anything else a user uploaded (``x.html``, ``x.svg``, scripts) is served as
``application/octet-stream`` in an attachment, so a stored file can never run
as a page on the API's origin (stored XSS).
"""

from __future__ import annotations

import mimetypes

DOWNLOAD_TYPE = "application/octet-stream"

INLINE_TYPES = frozenset(
    {
        # Videos the prober accepts (by the type guessed from the upload's file name) and the renditions.
        "video/mp4",
        "video/quicktime",
        "video/webm",
        "video/x-matroska",
        "video/x-msvideo",
        "video/mpeg",
        "video/mp2t",
        "video/x-flv",
        "video/3gpp",
        "video/x-ms-wmv",
        "video/ogg",
        "video/iso.segment",
        # Covers (made by the service as JPEG, or uploaded).
        "image/jpeg",
        "image/png",
        "image/webp",
        # HLS playlists.
        "application/vnd.apple.mpegurl",
    }
)


def content_type_for(filename: str) -> str:
    """The type a stored file is recorded with: guessed from its name, never taken from the client."""
    guessed, _ = mimetypes.guess_type(filename)
    return guessed or DOWNLOAD_TYPE


def is_inline(content_type: str) -> bool:
    """True when ``content_type`` (parameters ignored) may be shown by a browser as it is."""
    return content_type.split(";", 1)[0].strip().lower() in INLINE_TYPES
