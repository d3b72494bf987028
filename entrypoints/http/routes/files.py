"""Media at ``/files/<storage_id>``: who may fetch it, caching, CORS, HEAD and Range; bytes sent count as traffic.

Who may fetch a file and what it serves come from ``vod.downloads`` (the
rules of API.md C1); this module only speaks HTTP: the signed query and
the optional API key in, then conditional requests (304), ``If-Range``,
``Cache-Control`` for the kind of URL, the media header policy. Bytes are
counted after each chunk is handed to the connection, and reported when
the response ends for whatever reason, so a viewer who stops half-way is
charged for half the file, not all of it.
"""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import format_datetime
from functools import lru_cache
from urllib.parse import quote

from sanic import Blueprint, HTTPResponse, Request

from entrypoints.http.auth import user_id
from entrypoints.http.conditional import not_modified, range_applies
from entrypoints.http.docs import describe, path, query
from entrypoints.http.errors import envelope
from entrypoints.http.media_response import OWNER_ONLY, STABLE_PUBLIC, MediaResponse
from entrypoints.http.ranges import ByteRange, Unsatisfiable, parse_range
from entrypoints.http.resources import resources
from entrypoints.http.security_headers import MEDIA, PREFLIGHT
from entrypoints.http.sendfile import send_body
from vod_core.errors import AccessDenied, InvalidParameter
from vod_core.services.access import Audience, MediaQuery
from vod_core.services.downloads import Download

bp = Blueprint("files")

UNSAFE_IN_QUOTES = re.compile(r'[^\x20-\x7e]|["\\]')


def media_query(request: Request) -> MediaQuery:
    """``expires`` and ``signature`` as given (blank values kept: an emptied signature is still a signature)."""
    args = request.get_args(keep_blank_values=True)
    return MediaQuery(args.get("expires"), args.get("signature"))


async def caller(request: Request) -> str | None:
    """The user of the request's API key, if it carries a valid one (only unlinked uploads need it)."""
    if "authorization" not in request.headers:
        return None
    try:
        return await user_id(request)
    except (AccessDenied, UnicodeEncodeError):  # no key we could have issued: nobody's upload is served
        return None


def cache_control(download: Download, seconds_left: int) -> str:
    permit = download.permit
    if permit.audience is Audience.PUBLIC:
        return STABLE_PUBLIC
    if permit.audience is Audience.SIGNED:
        return f"private, max-age={seconds_left}"
    return OWNER_ONLY


def attachment(filename: str) -> str:
    """``Content-Disposition`` of a file served for download, with its name in ASCII and in UTF-8."""
    fallback = UNSAFE_IN_QUOTES.sub("_", filename) or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@lru_cache(maxsize=4096)
def http_date(moment: datetime) -> str:
    """``Last-Modified`` of a file; the same few files are asked for over and over (a player's ranges)."""
    return format_datetime(moment, usegmt=True)


def _headers(download: Download, seconds_left: int) -> dict[str, str]:
    headers = {
        **MEDIA,
        "Accept-Ranges": "bytes",
        "ETag": f'"{download.etag}"',
        "Last-Modified": http_date(download.last_modified),
        "Cache-Control": cache_control(download, seconds_left),
    }
    if not download.inline:
        headers["Content-Disposition"] = attachment(download.filename)
    return headers


@describe(
    "Download a stored file (original, rendition or cover); supports Range, HEAD and conditional requests",
    params=[
        path(
            "storage_id",
            "the storage id in origin_url, thumb_url or play_set.url, optionally followed by a file extension"
            " (`.mp4`; ignored: HLS playlists use it for players that pick a demuxer by extension)",
        ),
        query("expires", {"type": "string"}, "expiry of a signed URL (unix seconds), as handed out"),
        query("signature", {"type": "string"}, "signature of a signed URL, as handed out"),
    ],
    ok_content={"*/*": {"type": "string", "format": "binary"}},
    errors=(403, 404, 416),
    public=True,
    tag="storage",
    operation="downloadFile",
)
async def serve_file(request: Request, storage_id: str) -> HTTPResponse | None:
    if request.method == "OPTIONS":
        return preflight()
    res = resources(request)
    stored_id = storage_id.partition(".")[0]  # ids have no dot: what follows one is an extension
    download = await res.vod.downloads.open(stored_id, media_query(request), await caller(request))
    size = download.size
    headers = _headers(download, res.vod.access.seconds_left(download.permit))
    etag, last_modified = headers["ETag"], download.last_modified
    if not_modified(
        request.headers.get("if-none-match"), request.headers.get("if-modified-since"), etag, last_modified
    ):
        return MediaResponse(status=304, headers=headers)
    requested = None
    if range_applies(request.headers.get("if-range"), etag, last_modified):
        try:
            requested = parse_range(request.headers.get("range"), size)
        except Unsatisfiable:
            headers["Content-Range"] = f"bytes */{size}"
            error = InvalidParameter("range", f"is outside the file of {size} bytes")
            response = envelope(error.code, error.message, 416)
            response.headers.update(headers)
            return response
    byte_range = requested or ByteRange(0, size - 1)
    if requested is not None:
        headers["Content-Range"] = requested.content_range(size)
    headers["Content-Length"] = str(byte_range.length)
    status = 200 if requested is None else 206
    if request.method == "HEAD" or size == 0:
        # A whole (empty) response: Sanic's HTTP/1 stream fails on HEAD if a body is streamed or ended.
        return MediaResponse(status=status, headers=headers, content_type=download.content_type)
    response = await request.respond(MediaResponse(status=status, headers=headers, content_type=download.content_type))
    await send_body(request, response, download, byte_range.start, byte_range.length)
    return None


def preflight() -> HTTPResponse:
    """The CORS preflight of a media URL: any origin may GET/HEAD it with ``Range`` and validators.

    The same answer for every id (it reveals nothing); OPTIONS shares the
    route with GET and HEAD so that a 405 lists all three in ``Allow``.
    """
    return MediaResponse(status=204, headers=dict(PREFLIGHT))


bp.add_route(serve_file, "/files/<storage_id:str>", methods=["GET", "HEAD", "OPTIONS"])
