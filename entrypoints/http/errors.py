"""The one place where errors become HTTP responses (API.md "Conventions").

Each error class has its HTTP status in :data:`STATUS`, found along the
exception's MRO (the nearest class listed wins, as in Starlette's exception
handlers), so a new subclass gets its base's status without touching this
module. Sanic's own errors (unknown route, wrong method, malformed request)
get the closest contract code. A 500 — an internal contract error, a
:class:`StorageUnavailable` no use case declared a code for, or any other
exception (a bug) — is logged with a request id, and the client gets that
id and never a stack trace.
"""

from __future__ import annotations

import logging

from sanic import HTTPResponse, Request, json
from sanic.exceptions import RequestCancelled, SanicException
from sanic.handlers import ErrorHandler

from entrypoints.http.request_log import current_request_id
from vod_core.errors import (
    AccessDenied,
    AlreadyInLibrary,
    ChecksumMismatch,
    ChunkTooLong,
    InternalError,
    InvalidParameter,
    NotFound,
    StorageUnavailable,
    TooManyGuesses,
    TranscodeExists,
    UnusableFile,
    UploadConflict,
    UploadExpired,
    UploadTooLarge,
    VideoNotReady,
    VideoUploadFailed,
    VodError,
)

log = logging.getLogger(__name__)

INTERNAL = InternalError.code
UNAUTHENTICATED = {"WWW-Authenticate": 'Bearer realm="vod"'}

STATUS: dict[type[BaseException], int] = {
    InvalidParameter: 400,
    UploadTooLarge: 413,
    AccessDenied: 403,  # 401 when ``unauthenticated`` (see vod_error_response)
    TooManyGuesses: 429,  # with Retry-After
    NotFound: 404,
    UploadExpired: 410,
    UploadConflict: 409,
    ChecksumMismatch: 460,
    ChunkTooLong: 413,
    VideoNotReady: 409,
    VideoUploadFailed: 409,
    TranscodeExists: 409,
    AlreadyInLibrary: 409,
    UnusableFile: 409,
    InternalError: 500,
    StorageUnavailable: 500,
}
"""Error class -> HTTP status; an exception takes the status of the nearest class in its MRO."""


def status_for(error: BaseException) -> int:
    """The status of the nearest class of ``error``'s MRO listed in :data:`STATUS`; 500 when none is."""
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def envelope(code: int, message: str, status: int, headers: dict[str, str] | None = None) -> HTTPResponse:
    return json({"errcode": code, "msg": message}, status=status, headers=headers)


def _internal(exception: BaseException, code: int) -> HTTPResponse:
    request_id = current_request_id()
    log.error("internal error %s (request id %s)", code, request_id, exc_info=exception)
    return envelope(code, f"internal error {code} (request id {request_id})", 500)


def vod_error_response(error: VodError | StorageUnavailable) -> HTTPResponse:
    status = status_for(error)
    if status >= 500 or not isinstance(error, VodError):
        return _internal(error, error.code if isinstance(error, InternalError) else INTERNAL)
    if isinstance(error, AccessDenied) and error.unauthenticated:
        return envelope(error.code, error.message, 401, UNAUTHENTICATED)
    if isinstance(error, TooManyGuesses):
        return envelope(error.code, error.message, status, {"Retry-After": str(error.retry_after_s)})
    return envelope(error.code, error.message, status)


def sanic_error_response(error: SanicException) -> HTTPResponse:
    status = error.status_code
    headers = {k: str(v) for k, v in (error.headers or {}).items()}
    if status >= 500:
        return _internal(error, INTERNAL)
    if status == 404:
        return envelope(NotFound.code, "no such endpoint or file", 404)
    return envelope(InvalidParameter.code, str(error) or "invalid request", status, headers)


class JsonErrorHandler(ErrorHandler):
    def default(self, request: Request, exception: Exception) -> HTTPResponse:
        if isinstance(exception, VodError | StorageUnavailable):
            return vod_error_response(exception)
        if isinstance(exception, SanicException):
            return sanic_error_response(exception)
        if isinstance(exception, RequestCancelled):  # the client went away (reset mid-upload): not our error
            log.info("%s %s: the client closed the connection", request.method, request.path)
            return envelope(InvalidParameter.code, "request cancelled by the client", 400)
        return _internal(exception, INTERNAL)
