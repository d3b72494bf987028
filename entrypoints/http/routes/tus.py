"""Resumable uploads, tus 1.0.0 (API.md C3): creation, creation-with-upload, termination, expiration, checksum.

Every response carries ``Tus-Resumable``; the upload URL ends with the
storage id the finished upload becomes. Chunks are streamed into the
partial-upload store (never held whole in memory).
"""

from __future__ import annotations

from email.utils import format_datetime

from sanic import Blueprint, HTTPResponse, Request, empty

from entrypoints.http.auth import user_id
from entrypoints.http.docs import describe, path
from entrypoints.http.resources import resources
from entrypoints.http.routes.storage import body_chunks
from entrypoints.http.tus_headers import (
    CHECKSUM_ALGORITHMS,
    EXTENSIONS,
    VERSION,
    carries_chunk,
    checksum,
    creation,
    number,
    require_chunk,
    require_version,
)
from vod_core.resumable import ResumableUpload
from vod_core.services.resumable_uploads import Chunk

bp = Blueprint("tus", url_prefix="/storage/api/tus")

TAG = "tus"
ID = path("storage_id", "the upload's id: the storage id of the file it becomes")
NO_BODY: dict[str, object] = {}


async def tus_resumable(request: Request, response: HTTPResponse) -> None:
    response.headers["Tus-Resumable"] = VERSION


bp.middleware(tus_resumable, "response")  # errors of these routes too


def _upload_url(request: Request, upload_id: str) -> str:
    base = request.app.ctx.public_base_url or f"{request.scheme}://{request.host}"
    return f"{base}{bp.url_prefix}/{upload_id}"


def _state(upload: ResumableUpload) -> dict[str, str]:
    headers = {"Upload-Offset": str(upload.received), "Cache-Control": "no-store"}
    if not upload.finished:
        headers["Upload-Expires"] = format_datetime(upload.expires_at, usegmt=True)
    return headers


def _chunk(request: Request, offset: int) -> Chunk:
    declared = number(request.headers, "Content-Length", required=False)
    return Chunk(offset, body_chunks(request), checksum(request.headers), declared)


def _capabilities(request: Request) -> HTTPResponse:
    limit = resources(request).vod.resumable_uploads.size_limit
    return empty(
        headers={
            "Tus-Version": VERSION,
            "Tus-Extension": EXTENSIONS,
            "Tus-Max-Size": str(limit),
            "Tus-Checksum-Algorithm": CHECKSUM_ALGORITHMS,
        }
    )


@bp.options("")
@describe("tus: what this server supports", ok_content=NO_BODY, errors=(), public=True, tag=TAG)
async def tus_options(request: Request) -> HTTPResponse:
    return _capabilities(request)


@bp.options("/<storage_id:str>")
@describe("tus: what this server supports", params=[ID], ok_content=NO_BODY, errors=(), public=True, tag=TAG)
async def tus_upload_options(request: Request, storage_id: str) -> HTTPResponse:
    return _capabilities(request)


@bp.post("", stream=True)
@describe(
    "tus: create an upload (Upload-Length; Upload-Metadata filename; optionally its first chunk)",
    ok_content=NO_BODY,
    errors=(400, 412, 413, 415, 460),
    tag=TAG,
    operation="tusCreate",
    description="201 with Location (the upload URL, ending with the future storage_id), Upload-Expires "
    "(24 h), and Upload-Offset when the body carried a first chunk (Content-Type "
    "application/offset+octet-stream).",
)
async def create(request: Request) -> HTTPResponse:
    require_version(request.headers)
    uid = await user_id(request)
    uploads = resources(request).vod.resumable_uploads
    wanted = creation(request.headers)
    upload = await uploads.create(uid, wanted.upload_length, wanted.filename, wanted.metadata)
    if carries_chunk(request.headers) and not upload.finished:
        upload = await uploads.append(uid, upload.id, _chunk(request, 0))
    return empty(201, headers={"Location": _upload_url(request, upload.id), **_state(upload)})


@bp.head("/<storage_id:str>")
@describe(
    "tus: the offset of an upload",
    params=[ID],
    ok_content=NO_BODY,
    errors=(404, 410, 412),
    tag=TAG,
    operation="tusHead",
    description="Upload-Offset, Upload-Length, Upload-Metadata, and Upload-Expires while unfinished. "
    "An expired upload answers 410 until its bytes are removed, then 404.",
)
async def head(request: Request, storage_id: str) -> HTTPResponse:
    require_version(request.headers)
    uid = await user_id(request)
    upload = await resources(request).vod.resumable_uploads.get(uid, storage_id)
    headers = {**_state(upload), "Upload-Length": str(upload.upload_length)}
    if upload.metadata:
        headers["Upload-Metadata"] = upload.metadata
    return empty(200, headers=headers)


@bp.patch("/<storage_id:str>", stream=True)
@describe(
    "tus: append a chunk at Upload-Offset",
    params=[ID],
    ok_content=NO_BODY,
    errors=(400, 404, 409, 410, 412, 413, 415, 460),
    tag=TAG,
    operation="tusPatch",
    description="204 with the new Upload-Offset. A wrong offset, or another PATCH of the same upload "
    "running: 409. Upload-Checksum (sha1) not matching: 460, the chunk discarded. A body that breaks off "
    "keeps what arrived. The last byte makes the stored file.",
)
async def patch(request: Request, storage_id: str) -> HTTPResponse:
    require_version(request.headers)
    uid = await user_id(request)
    require_chunk(request.headers)
    offset = number(request.headers, "Upload-Offset")
    assert offset is not None  # required
    upload = await resources(request).vod.resumable_uploads.append(uid, storage_id, _chunk(request, offset))
    return empty(204, headers=_state(upload))


@bp.delete("/<storage_id:str>")
@describe(
    "tus: terminate an upload",
    params=[ID],
    ok_content=NO_BODY,
    errors=(404, 409, 412),
    tag=TAG,
    operation="tusDelete",
    description="204; its bytes are removed. A complete upload is its stored file, removed unless a video "
    "uses it (409, 3106). A PATCH running on it: 409.",
)
async def terminate(request: Request, storage_id: str) -> HTTPResponse:
    require_version(request.headers)
    uid = await user_id(request)
    await resources(request).vod.resumable_uploads.terminate(uid, storage_id)
    return empty(204)
