"""``GET /health``: the process is up and its database answers."""

from __future__ import annotations

from sanic import Blueprint, HTTPResponse, Request

from entrypoints.http.docs import STR, describe, ok_envelope
from entrypoints.http.replies import ok
from entrypoints.http.resources import resources

bp = Blueprint("health")


@bp.get("/health")
@describe(
    "Liveness: answers when the service and its database respond",
    ok=ok_envelope(status=STR),
    errors=(),
    public=True,
    tag="operations",
    operation="getHealth",
)
async def health(request: Request) -> HTTPResponse:
    await resources(request).vod.health.check()
    return ok(status="ok")
