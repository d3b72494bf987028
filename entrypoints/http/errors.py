"""The one place where errors become HTTP responses (API.md "Conventions").

Domain errors carry the contract's code; Sanic's own errors (unknown route,
wrong method, malformed request) get the closest contract code; anything
else is a bug: it is logged with a request id, and the client gets that id
and never a stack trace.
"""

from __future__ import annotations

import logging
import secrets

from sanic import HTTPResponse, Request, json
from sanic.exceptions import RequestCancelled, SanicException
from sanic.handlers import ErrorHandler

from vod_core.errors import (
    AccessDenied,
    InternalError,
    InvalidParameter,
    NotFound,
    UploadTooLarge,
    VodError,
)

log = logging.getLogger(__name__)

INTERNAL = 3100
CONFLICT_CODES = range(3103, 3108)


def envelope(code: int, message: str, status: int, headers: dict[str, str] | None = None) -> HTTPResponse:
    return json({"errcode": code, "msg": message}, status=status, headers=headers)


def _internal(exception: BaseException, code: int) -> HTTPResponse:
    request_id = secrets.token_hex(8)
    log.error("internal error %s (request id %s)", code, request_id, exc_info=exception)
    return envelope(code, f"internal error {code} (request id {request_id})", 500)


def vod_error_response(error: VodError) -> HTTPResponse:
    if isinstance(error, UploadTooLarge):
        return envelope(error.code, error.message, 413)
    if isinstance(error, InvalidParameter):
        return envelope(error.code, error.message, 400)
    if isinstance(error, AccessDenied):
        if error.unauthenticated:
            return envelope(error.code, error.message, 401, {"WWW-Authenticate": 'Bearer realm="vod"'})
        return envelope(error.code, error.message, 403)
    if isinstance(error, NotFound):
        return envelope(error.code, error.message, 404)
    if error.code in CONFLICT_CODES:
        return envelope(error.code, error.message, 409)
    return _internal(error, error.code if isinstance(error, InternalError) else INTERNAL)


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
        if isinstance(exception, VodError):
            return vod_error_response(exception)
        if isinstance(exception, SanicException):
            return sanic_error_response(exception)
        if isinstance(exception, RequestCancelled):  # the client went away (reset mid-upload): not our error
            log.info("%s %s: the client closed the connection", request.method, request.path)
            return envelope(InvalidParameter.code, "request cancelled by the client", 400)
        return _internal(exception, INTERNAL)
