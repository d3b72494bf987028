"""The watch page ``/watch/<id>`` and the embed page ``/embed/<id>`` (only the player, for an ``<iframe>``).

Both are server-rendered from one use case, :meth:`Sharing.watch`: a public
video's page carries the video object (the API's, without the share
password) in a ``data-video`` attribute for ``static/watch/watch.js``; a
password video's page carries only a password form, whose script sends the
password to ``get_shared_video`` (same origin) and plays what it returns. A
private, missing, deleted or malformed id gets one "not available" page,
byte for byte the same whichever it was.

The watch page keeps ``frame-ancestors 'none'``; the embed page may be framed
by any site (``frame-ancestors *``), which is its whole purpose.
"""

from __future__ import annotations

import json
from typing import Any

from sanic import Blueprint, HTTPResponse, Request
from sanic_ext import openapi

from entrypoints.http.pages import PAGE_CSP, render
from entrypoints.http.resources import resources
from vod_core.errors import InvalidParameter, NotFound

bp = Blueprint("watch")

WATCH_CSP = PAGE_CSP
EMBED_CSP = PAGE_CSP.replace("frame-ancestors 'none'", "frame-ancestors *")
NOT_AVAILABLE_STATUS = 404


@bp.get("/watch/<video_id:path>")
@openapi.exclude()
async def watch_page(request: Request, video_id: str) -> HTTPResponse:
    return await _page(request, video_id, "watch/watch.html", WATCH_CSP)


@bp.get("/embed/<video_id:path>")
@openapi.exclude()
async def embed_page(request: Request, video_id: str) -> HTTPResponse:
    return await _page(request, video_id, "watch/embed.html", EMBED_CSP)


async def _page(request: Request, video_id: str, template: str, csp: str) -> HTTPResponse:
    headers = {"Content-Security-Policy": csp}
    try:
        details = await resources(request).vod.sharing.watch(video_id)
    except (NotFound, InvalidParameter):
        # Nothing of the id or of the reason goes into this page: it must not tell private from missing.
        return await render(request, template, {"available": False}, status=NOT_AVAILABLE_STATUS, headers=headers)
    context: dict[str, Any] = {"available": True, "video_id": video_id, "video": None}
    if details is not None:
        video = resources(request).presenter.video(details, hide_password=True)
        context.update(video=video, video_json=json.dumps(video, ensure_ascii=False))
    return await render(request, template, context, headers=headers)
