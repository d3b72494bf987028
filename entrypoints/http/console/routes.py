"""The console's pages, sign-in and sign-out (the pages' data comes from the JSON API, same-origin)."""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, HTTPResponse, Request, redirect
from sanic_ext import openapi

from entrypoints.http.console.session import (
    CSRF_FIELD,
    clear_session_cookie,
    console_session,
    sent_csrf_token,
    session_token,
    set_session_cookie,
)
from entrypoints.http.pages import render
from entrypoints.http.resources import resources
from vod_core.errors import AccessDenied
from vod_core.sessions import ConsoleSession

bp = Blueprint("console", url_prefix="/console")

HOME = "/console"
KEY_FIELD = "api_key"
MAX_KEY_LENGTH = 1024


def _same_origin(request: Request) -> bool:
    """False for a form posted by another site's page (login CSRF).

    Browsers say where a request comes from in ``Sec-Fetch-Site``; without
    it, an ``Origin`` other than ours is refused (pages here send no
    referrer, so the browser's own forms may say ``Origin: null``).
    """
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return bool(fetch_site in ("same-origin", "none"))
    origin = request.headers.get("origin")
    return origin in (None, "null") or origin == f"{request.scheme}://{request.host}"


async def _signed_in(request: Request) -> ConsoleSession | None:
    if not session_token(request):
        return None
    try:
        return await console_session(request)
    except AccessDenied:
        return None


async def _page(request: Request, template: str, session: ConsoleSession, **context: Any) -> HTTPResponse:
    return await render(request, template, {"csrf_token": session.csrf_token, "csrf_field": CSRF_FIELD, **context})


async def _sign_in_page(request: Request, error: str = "", status: int = 200) -> HTTPResponse:
    return await render(request, "console/sign_in.html", {"key_field": KEY_FIELD, "error": error}, status=status)


@bp.get("/")
@openapi.exclude()  # a page, not an API operation
async def home(request: Request) -> HTTPResponse:
    """The library when signed in, else the sign-in form."""
    session = await _signed_in(request)
    if session is None:
        return await _sign_in_page(request)
    return await _page(request, "console/library.html", session, section="library")


@bp.post("/sign_in")
@openapi.exclude()  # a page, not an API operation
async def sign_in(request: Request) -> HTTPResponse:
    """Form field ``api_key``; a good key gets a session cookie and the library (303), a bad one the form again."""
    if not _same_origin(request):
        return await _sign_in_page(request, "This sign-in form was sent from another site.", 403)
    key = (request.form.get(KEY_FIELD) or "").strip() if request.form else ""
    if len(key) > MAX_KEY_LENGTH:
        return await _sign_in_page(request, "That is not a valid API key.", 401)
    try:
        signed_in = await resources(request).vod.sessions.sign_in(key)
    except AccessDenied as exc:
        return await _sign_in_page(request, f"Sign-in failed: {exc.message}.", 401)
    response = redirect(HOME, status=303)
    set_session_cookie(request, response, signed_in.token, signed_in.expires_at)
    return response


@bp.post("/sign_out")
@openapi.exclude()  # a page, not an API operation
async def sign_out(request: Request) -> HTTPResponse:
    """Ends the session everywhere (form field ``csrf_token``), clears the cookie, back to the sign-in form."""
    if not _same_origin(request):  # without the cookie (SameSite), it would still clear the person's cookie
        raise AccessDenied("this sign-out form was sent from another site")
    sessions = resources(request).vod.sessions
    response = redirect(HOME, status=303)
    try:
        session = await sessions.resolve(session_token(request))
    except AccessDenied:
        clear_session_cookie(response)  # ended or expired already
        return response
    sessions.check_csrf(session, sent_csrf_token(request))
    await sessions.sign_out(session_token(request))
    clear_session_cookie(response)
    return response


@bp.get("/videos/<video_id:str>")
@openapi.exclude()  # a page, not an API operation
async def video_page(request: Request, video_id: str) -> HTTPResponse:
    session = await _signed_in(request)
    if session is None:
        return redirect(HOME, status=303)
    return await _page(request, "console/video.html", session, section="library", video_id=video_id)


async def _section_page(request: Request, section: str) -> HTTPResponse:
    session = await _signed_in(request)
    if session is None:
        return redirect(HOME, status=303)
    zone = str(resources(request).presenter.zone)  # traffic days are the service zone's
    return await _page(request, f"console/{section}.html", session, section=section, time_zone=zone)


@bp.get("/upload")
@openapi.exclude()  # a page, not an API operation
async def upload_page(request: Request) -> HTTPResponse:
    return await _section_page(request, "upload")


@bp.get("/traffic")
@openapi.exclude()  # a page, not an API operation
async def traffic_page(request: Request) -> HTTPResponse:
    return await _section_page(request, "traffic")


@bp.get("/settings")
@openapi.exclude()  # a page, not an API operation
async def settings_page(request: Request) -> HTTPResponse:
    return await _section_page(request, "settings")
