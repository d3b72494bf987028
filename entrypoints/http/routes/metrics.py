"""``GET /metrics``: the Prometheus text format, behind ``VOD_METRICS_TOKEN`` when it is set."""

from __future__ import annotations

import hmac

from sanic import Blueprint, HTTPResponse, Request, raw

from adapters.metrics import CONTENT_TYPE, exposition
from entrypoints.http.docs import describe
from vod_core.errors import AccessDenied

bp = Blueprint("metrics")


def authorized(authorization: str | None, token: str) -> bool:
    """True without a token; otherwise only for ``Bearer <token>`` (compared in constant time)."""
    if not token:
        return True
    scheme, _, offered = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(offered.strip().encode(), token.encode())


@bp.get("/metrics")
@describe(
    "Prometheus metrics (text exposition format); needs `Bearer <VOD_METRICS_TOKEN>` when that is set",
    ok_content={CONTENT_TYPE: {"type": "string"}},
    errors=(401,),
    public=True,
    tag="operations",
    operation="getMetrics",
)
async def metrics(request: Request) -> HTTPResponse:
    token: str = getattr(request.app.ctx, "metrics_token", "")
    try:
        allowed = authorized(request.headers.get("Authorization"), token)
    except UnicodeEncodeError:  # not a token we could have issued
        allowed = False
    if not allowed:
        raise AccessDenied("/metrics needs Authorization: Bearer <VOD_METRICS_TOKEN>", unauthenticated=True)
    return raw(exposition(), content_type=CONTENT_TYPE)
