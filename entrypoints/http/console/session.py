"""The console's session cookie and CSRF token, as the HTTP layer sees them.

The cookie holds a random token (the database keeps its hash and the
session's CSRF token, :class:`vod_core.services.sessions.ConsoleSessions`):
``HttpOnly`` so no script reads it, ``SameSite=Strict`` so no other site's
page sends it, ``Secure`` when the service is reached over HTTPS. A
state-changing request must also carry the session's CSRF token, in the
``X-CSRF-Token`` header (the pages' scripts) or the ``csrf_token`` form
field (the sign-out form).
"""

from __future__ import annotations

from datetime import datetime

from sanic import HTTPResponse, Request

from entrypoints.http.resources import resources
from vod_core.sessions import ConsoleSession

COOKIE = "vod_console"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PATH = "/"
"""The cookie goes to the API routes too: the console's scripts call them with it."""


def session_token(request: Request) -> str:
    return request.cookies.get(COOKIE) or ""


def secure_cookies(request: Request) -> bool:
    """Whether cookies get ``Secure``: the request came over HTTPS, or the public base URL is https."""
    public_base_url: str = request.app.ctx.public_base_url
    return request.scheme == "https" or public_base_url.lower().startswith("https://")


def set_session_cookie(request: Request, response: HTTPResponse, token: str, expires_at: datetime) -> None:
    response.add_cookie(
        COOKIE,
        token,
        path=PATH,
        expires=expires_at,
        httponly=True,
        samesite="Strict",
        secure=secure_cookies(request),
    )


def clear_session_cookie(response: HTTPResponse) -> None:
    response.delete_cookie(COOKIE, path=PATH)


def sent_csrf_token(request: Request) -> str:
    """The CSRF token the request carries: the header, else the urlencoded form field."""
    header: str | None = request.headers.get(CSRF_HEADER)
    if header is not None:
        return header
    if request.content_type.startswith("application/x-www-form-urlencoded") and request.form:
        return str(request.form.get(CSRF_FIELD) or "")
    return ""


async def console_session(request: Request) -> ConsoleSession:
    """The request's live session, CSRF-checked when the method changes state (3108 otherwise)."""
    sessions = resources(request).vod.sessions
    session = await sessions.resolve(session_token(request))
    if request.method not in SAFE_METHODS:
        sessions.check_csrf(session, sent_csrf_token(request))
    return session
