"""Public file serving at ``/files/<storage_id>`` with HEAD and Range; bytes sent count as traffic.

Bytes are counted after each chunk is handed to the connection, and
reported when the response ends for whatever reason, so a viewer who stops
half-way is charged for half the file, not all of it.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import AsyncIterator
from typing import BinaryIO

from sanic import Blueprint, HTTPResponse, Request

from entrypoints.http.docs import describe, path
from entrypoints.http.errors import envelope
from entrypoints.http.ranges import ByteRange, Unsatisfiable, parse_range
from entrypoints.http.resources import resources
from vod_core.errors import InvalidParameter, NotFound
from vod_core.traffic import TrafficRecord

bp = Blueprint("files")

CHUNK = 256 * 1024
STORAGE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


async def read_range(file_path: str, start: int, length: int) -> AsyncIterator[bytes]:
    """Bytes ``[start, start + length)`` of a file, read in a thread chunk by chunk."""
    loop = asyncio.get_running_loop()
    handle: BinaryIO = await loop.run_in_executor(None, open, file_path, "rb")
    try:
        await loop.run_in_executor(None, handle.seek, start)
        left = length
        while left > 0:
            data = await loop.run_in_executor(None, handle.read, min(CHUNK, left))
            if not data:
                return
            left -= len(data)
            yield data
    finally:
        await loop.run_in_executor(None, handle.close)


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
    if not STORAGE_ID.fullmatch(storage_id):
        raise NotFound(f"file {storage_id} not found")
    res = resources(request)
    stored = await res.vod.uploads.public_file(storage_id)
    file_path = await res.vod.ctx.storage.local_path(storage_id)
    size = (await asyncio.get_running_loop().run_in_executor(None, os.stat, file_path)).st_size
    headers = {"Accept-Ranges": "bytes"}
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
    response = await request.respond(status=status, headers=headers, content_type=stored.content_type)
    if request.method == "HEAD" or size == 0:
        await response.eof()
        return None
    sent = 0
    try:
        async for chunk in read_range(file_path, byte_range.start, byte_range.length):
            await response.send(chunk)
            sent += len(chunk)
        await response.eof()
    finally:
        if stored.video_id and sent:
            res.traffic.submit(TrafficRecord(stored.video_id, sent, int(res.vod.ctx.clock.now().timestamp())))
    return None


bp.add_route(serve_file, "/files/<storage_id:str>", methods=["GET", "HEAD"])
