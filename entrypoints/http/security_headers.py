"""The response header policy: what every response carries, and what media responses add.

Every response (API JSON, errors, media) gets ``X-Content-Type-Options:
nosniff``, ``Referrer-Policy``, ``X-Frame-Options`` and a restrictive
``Content-Security-Policy``; a route that serves its own page (``/docs``,
later the console and the watch page) sets its own CSP or frame policy and
the defaults here do not override it (a page whose own CSP allows framing, the
embed page, gets no ``X-Frame-Options``). Media responses (``/files``) are
sandboxed and readable from any origin (CORS), so a player elsewhere can
fetch them while a stored file can never act as a page of this origin.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sanic import Request, Sanic
from sanic.response import BaseHTTPResponse

EVERY_RESPONSE: Mapping[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}
"""Set on a response that does not set the header itself."""

MEDIA: Mapping[str, str] = {
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; sandbox",
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "Content-Range, Content-Length, Accept-Ranges, ETag",
    "Cross-Origin-Resource-Policy": "cross-origin",
}
"""Media responses: sandboxed if opened as a page, readable by players on other origins."""

PREFLIGHT: Mapping[str, str] = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Range, If-None-Match, If-Modified-Since, If-Range",
    "Access-Control-Max-Age": "86400",
}
"""The answer to a CORS preflight (``OPTIONS``) of a media URL."""


def add_defaults(response: BaseHTTPResponse) -> None:
    for name, value in EVERY_RESPONSE.items():
        if name not in response.headers and not (name == "X-Frame-Options" and _allows_framing(response)):
            response.headers[name] = value


def _allows_framing(response: BaseHTTPResponse) -> bool:
    """Whether the response's own CSP lets other pages frame it (the embed page): ``DENY`` would forbid it again.

    ``X-Frame-Options`` has no "any origin" value, so such a page goes without it.
    """
    own_policy = str(response.headers.get("Content-Security-Policy", ""))
    directives = [directive.split() for directive in own_policy.split(";")]
    return any(words[0] == "frame-ancestors" and words[1:] != ["'none'"] for words in directives if words)


def install(app: Sanic[Any, Any]) -> None:
    """Add :data:`EVERY_RESPONSE` to every response of ``app`` (streamed and error responses included)."""
    app.register_middleware(_add_defaults, "response", priority=-100)


async def _add_defaults(request: Request, response: BaseHTTPResponse) -> None:
    add_defaults(response)
