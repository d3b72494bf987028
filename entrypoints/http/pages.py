"""Server-rendered pages (the console, the watch and embed pages): templates and static files.

Pages are Jinja2 templates under ``entrypoints/http/templates`` rendered by
sanic-ext's templating extension (autoescaped), with plain JavaScript
modules and CSS under ``entrypoints/http/static`` served at ``/static``.
Nothing a page loads comes from another origin: :data:`PAGE_CSP` allows
this origin only, so a page works offline and a stored file can never run
as one of its scripts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse
from sanic_ext import render as render_template

PACKAGE_DIR = Path(__file__).parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"
STATIC_PATH = "/static"

PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "media-src 'self' blob:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
"""Every page's Content-Security-Policy; a page meant for an ``<iframe>`` (embed) replaces ``frame-ancestors``."""

bp = Blueprint("pages")
bp.static(STATIC_PATH, STATIC_DIR, name="static")


async def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTTPResponse:
    """``template`` rendered with ``context``, with the page CSP unless ``headers`` sets one."""
    all_headers = {"Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-store", **(headers or {})}
    return await render_template(template, status=status, headers=all_headers, app=request.app, context=context)
