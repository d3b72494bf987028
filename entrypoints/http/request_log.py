"""One log line and one metrics sample per request, under a request id.

The id is the client's ``X-Request-Id`` when it is sane (up to 64 of
``A-Z a-z 0-9 . _ : -``), else a new random one; it is returned in the
response header and named in 500 messages, so a client's report finds its
log line. The line has the method, the path *without* the query string
(signatures and share passwords live there), the status and the time to
the response head; never a header.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from typing import Any

from sanic import Request, Sanic
from sanic.response import BaseHTTPResponse

from adapters.metrics import observe_request

HEADER = "X-Request-Id"
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
UNMATCHED = "unmatched"
"""The route label of requests no route matched: keeps the metric's label set small."""

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
log = logging.getLogger("vod.requests")


def request_id(request: Request) -> str:
    """This request's id, chosen on first use."""
    found: str | None = getattr(request.ctx, "request_id", None)
    if found is None:
        offered = request.headers.get(HEADER, "")
        found = offered if _SANE_ID.fullmatch(offered) else secrets.token_hex(8)
        request.ctx.request_id = found
    return found


def current_request_id() -> str:
    """The id of the request being handled, or a fresh one outside any request."""
    try:
        return request_id(Request.get_current())
    except Exception:  # no current request (Sanic raises its own exception type)
        return secrets.token_hex(8)


def install(app: Sanic[Any, Any]) -> None:
    """Register the middleware on ``app``: the first to see a request, the last to see its response."""
    app.register_middleware(_started, "request", priority=1000)
    app.register_middleware(_finished, "response", priority=-1000)


async def _started(request: Request) -> None:
    request.ctx.started = time.perf_counter()
    request_id(request)


async def _finished(request: Request, response: BaseHTTPResponse) -> None:
    rid = request_id(request)
    response.headers[HEADER] = rid
    started_at: float = getattr(request.ctx, "started", time.perf_counter())
    seconds = time.perf_counter() - started_at
    route = request.route.path if request.route is not None else UNMATCHED
    observe_request(route, request.method if request.method in METHODS else "other", response.status, seconds)
    log.info(
        "%s %s %s %d %.1f ms",
        rid,
        request.method,
        request.path,
        response.status,
        seconds * 1000,
        extra={
            "request_id": rid,
            "method": request.method,
            "path": request.path,
            "status": response.status,
            "duration_ms": round(seconds * 1000, 3),
        },
    )
