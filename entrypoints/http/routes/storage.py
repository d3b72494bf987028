"""Uploads (API.md Part B "Storage"): streamed multipart or raw bodies, and file metadata."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from sanic import Blueprint, HTTPResponse, Request
from sanic.exceptions import RequestTimeout

from entrypoints.http.auth import user_id
from entrypoints.http.docs import STORED_FILE, describe, query
from entrypoints.http.multipart import MultipartFile, multipart_boundary
from entrypoints.http.parsing import query_text
from entrypoints.http.replies import ok
from entrypoints.http.resources import resources
from vod_core.errors import UploadTooLarge

bp = Blueprint("storage", url_prefix="/storage/api")

BODY_IDLE_TIMEOUT_S = 30.0
"""An upload that sends nothing for this long is answered 408 (app config ``BODY_IDLE_TIMEOUT`` overrides).

Shorter than Sanic's RESPONSE_TIMEOUT (60 s), which would otherwise end
the stalled request as a 503 from inside the handler, reported as a 500.
"""

MULTIPART_OVERHEAD = 64 * 1024
"""Bytes a multipart body may have beyond the file limit: boundaries, part headers, small fields."""

UPLOAD_BODY = {
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            }
        },
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
    },
    "required": True,
}


async def body_chunks(request: Request) -> AsyncIterator[bytes]:
    """The request body as it arrives (the route is streamed: nothing is buffered); 408 when it stalls."""
    idle_s = float(request.app.config.get("BODY_IDLE_TIMEOUT", BODY_IDLE_TIMEOUT_S))
    while True:
        # On a stream=True route Sanic sets request.stream to its protocol object, which has
        # read(); the annotation only knows the base Stream (HTTP/1 and ASGI both provide it).
        try:
            chunk = await asyncio.wait_for(request.stream.read(), idle_s)  # type: ignore[union-attr]
        except TimeoutError:
            raise RequestTimeout(f"no part of the body arrived for {idle_s:g} s") from None
        if chunk is None:
            return
        if chunk:
            yield chunk


async def bounded(chunks: AsyncIterator[bytes], limit: int, file_limit: int) -> AsyncIterator[bytes]:
    """``chunks``, failing with 413 once more than ``limit`` bytes arrived (every part counts, not only the file)."""
    total = 0
    async for chunk in chunks:
        total += len(chunk)
        if total > limit:
            raise UploadTooLarge(file_limit)
        yield chunk


def _declared_length(request: Request) -> int | None:
    raw = request.headers.get("content-length", "")
    return int(raw) if raw.isascii() and raw.isdigit() else None


@bp.post("/upload", stream=True)
@describe(
    "Upload a file: multipart field `file`, or the raw body with ?filename=",
    params=[query("filename", {"type": "string"}, "file name of a raw-body upload")],
    body=UPLOAD_BODY,
    ok=STORED_FILE,
    errors=(400, 413),
    tag="storage",
    operation="uploadFile",
    description="Streamed to storage; larger than VOD_MAX_UPLOAD_BYTES (default 10 GiB) → 413. "
    "The returned storage_id is what /video/api/create takes.",
)
async def upload(request: Request) -> HTTPResponse:
    uid = await user_id(request)
    vod = resources(request).vod
    limit = vod.uploads.size_limit
    boundary = multipart_boundary(request.headers.get("content-type", ""))
    body_limit = limit if boundary is None else limit + MULTIPART_OVERHEAD
    declared = _declared_length(request)
    if declared is not None and declared > body_limit:
        raise UploadTooLarge(limit)  # refuse before reading a byte
    if boundary is None:
        filename = query_text(request, "filename", required=True)
        stored = await vod.uploads.upload(uid, filename, body_chunks(request))
    else:
        form = MultipartFile(bounded(body_chunks(request), body_limit, limit), boundary)
        filename = await form.filename() or query_text(request, "filename")
        stored = await vod.uploads.upload(uid, filename, form.chunks())
    return ok(**resources(request).presenter.stored_file(stored))


@bp.get("/get")
@describe(
    "Metadata of one of the caller's stored files",
    params=[query("id", {"type": "string"}, "storage id", required=True)],
    ok=STORED_FILE,
    tag="storage",
    operation="getStoredFile",
)
async def get_file(request: Request) -> HTTPResponse:
    uid = await user_id(request)
    stored = await resources(request).vod.uploads.get_file(uid, query_text(request, "id", required=True))
    return ok(**resources(request).presenter.stored_file(stored))
