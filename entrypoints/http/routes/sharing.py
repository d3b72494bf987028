"""Sharing: set a video's shared state and password; the public shared-video read."""

from __future__ import annotations

from sanic import Blueprint, HTTPResponse, Request

from entrypoints.http.auth import user_id
from entrypoints.http.docs import STR, VIDEO, describe, described, json_body, ok_envelope, query
from entrypoints.http.parsing import JsonBody, query_text
from entrypoints.http.replies import ok
from entrypoints.http.resources import resources

bp = Blueprint("sharing", url_prefix="/video/api")

ID = query("id", {"type": "string"}, "video id", required=True)


@bp.post("/set_video_password")
@describe(
    "Set the shared state (0 private, 1 password, 2 public) and the share password",
    params=[ID],
    body=json_body(
        {
            "shared_state": described({"type": "integer", "enum": [0, 1, 2]}, "0 private, 1 password, 2 public"),
            "password": described(STR, "0–16 characters; required for shared_state 1"),
        },
        ["shared_state"],
    ),
)
async def set_video_password(request: Request) -> HTTPResponse:
    uid = await user_id(request)
    video_id = query_text(request, "id", required=True)
    body = JsonBody.of(request)
    shared_state = body.required_integer("shared_state")
    await resources(request).vod.sharing.set_video_password(uid, video_id, shared_state, body.text("password") or "")
    return ok()


@bp.get("/get_shared_video")
@describe(
    "A shared video, without an API key; wrong passwords are throttled per client address and video",
    params=[ID, query("password", {"type": "string"}, "the share password (state 1)")],
    ok=ok_envelope(video=VIDEO),
    errors=(400, 403, 404, 429),
    public=True,
    tag="sharing",
)
async def get_shared_video(request: Request) -> HTTPResponse:
    video_id = query_text(request, "id", required=True)
    # The peer address, or the proxy's forwarded one when Sanic is told to trust it (SANIC_PROXIES_COUNT, ...).
    client = request.client_ip
    details = await resources(request).vod.sharing.get_shared_video(video_id, query_text(request, "password"), client)
    return ok(video=resources(request).presenter.video(details, hide_password=True))
