"""Public file serving at ``/files/<storage_id>`` with HEAD and Range; bytes sent count as traffic.

What a URL serves and its bytes come from ``vod.downloads``; this module
only speaks HTTP. Bytes are counted after each chunk is handed to the
connection, and reported when the response ends for whatever reason, so a
viewer who stops half-way is charged for half the file, not all of it.
"""

from __future__ import annotations

from email.utils import format_datetime

from sanic import Blueprint, HTTPResponse, Request

from entrypoints.http.docs import describe, path
from entrypoints.http.errors import envelope
from entrypoints.http.ranges import ByteRange, Unsatisfiable, parse_range
from entrypoints.http.resources import resources
from entrypoints.http.sendfile import send_body
from vod_core.errors import InvalidParameter
from vod_core.services.downloads import Download

bp = Blueprint("files")


def _headers(download: Download) -> dict[str, str]:
    return {
        "Accept-Ranges": "bytes",
        "ETag": f'"{download.etag}"',
        "Last-Modified": format_datetime(download.last_modified, usegmt=True),
    }


@describe(
    "Download a stored file (original, rendition or cover); supports Range and HEAD",
    params=[path("storage_id", "the storage id in origin_url, thumb_url or play_set.url")],
    ok_content={"*/*": {"type": "string", "format": "binary"}},
    errors=(404, 416),
    public=True,
    tag="storage",
    operation="downloadFile",
)
async def serve_file(request: Request, storage_id: str) -> HTTPResponse | None:
    res = resources(request)
    download = await res.vod.downloads.open(storage_id)
    size = download.size
    headers = _headers(download)
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
        return HTTPResponse(status=status, headers=headers, content_type=download.content_type)
    response = await request.respond(status=status, headers=headers, content_type=download.content_type)
    await send_body(request, response, download, byte_range.start, byte_range.length)
    return None


bp.add_route(serve_file, "/files/<storage_id:str>", methods=["GET", "HEAD"])
