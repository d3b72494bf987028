"""Callback configuration (the seed's ``user_event_config``), API.md Part B."""

from __future__ import annotations

from sanic import Blueprint, HTTPResponse, Request

from entrypoints.http.auth import user_id
from entrypoints.http.docs import CALLBACK, DEAD_EVENT, STR, array, describe, json_body, ok_envelope
from entrypoints.http.parsing import JsonBody
from entrypoints.http.replies import ok
from entrypoints.http.resources import resources

bp = Blueprint("notify", url_prefix="/notify/api")

EVENT = {"type": "string", "enum": ["video", "transcoding"]}


@bp.post("/set_callback")
@describe(
    "Deliver an event category (video | transcoding) to a URL, signed with the user's secret",
    body=json_body({"event": EVENT, "url": STR}, ["event", "url"]),
    errors=(400,),
    tag="notify",
)
async def set_callback(request: Request) -> HTTPResponse:
    uid = await user_id(request)
    body = JsonBody.of(request)
    await resources(request).vod.preferences.set_callback(uid, body.required_text("event"), body.required_text("url"))
    return ok()


@bp.post("/delete_callback")
@describe("Stop delivering an event category", body=json_body({"event": EVENT}, ["event"]), errors=(400,), tag="notify")
async def delete_callback(request: Request) -> HTTPResponse:
    uid = await user_id(request)
    await resources(request).vod.preferences.delete_callback(uid, JsonBody.of(request).required_text("event"))
    return ok()


@bp.post("/rotate_callback_secret")
@describe(
    "Replace the HMAC signing secret of the caller's callbacks; deliveries from now on (retries too) use the new one",
    ok=ok_envelope(secret=STR),
    errors=(),
    tag="notify",
)
async def rotate_callback_secret(request: Request) -> HTTPResponse:
    uid = await user_id(request)
    return ok(secret=await resources(request).vod.preferences.rotate_webhook_secret(uid))


@bp.get("/list_callbacks")
@describe(
    "The configured callbacks with the HMAC signing secret",
    ok=ok_envelope(callbacks=array(CALLBACK)),
    errors=(),
    tag="notify",
)
async def list_callbacks(request: Request) -> HTTPResponse:
    uid = await user_id(request)
    settings = await resources(request).vod.preferences.get_settings(uid)
    callbacks = [
        {"event": str(event), "url": url, "secret": settings.webhook_secret}
        for event, url in sorted(settings.callbacks.items())
    ]
    return ok(callbacks=callbacks)


@bp.get("/list_dead_events")
@describe(
    "Events given up on after retrying delivery for 24 hours, newest first; payload as it was to be sent",
    ok=ok_envelope(events=array(DEAD_EVENT)),
    errors=(),
    tag="notify",
)
async def list_dead_events(request: Request) -> HTTPResponse:
    uid = await user_id(request)
    found = resources(request)
    events = await found.vod.dead_events.of_user(uid)
    time = found.presenter.time
    return ok(
        events=[
            {
                "delivery_id": e.id,
                "event_type": e.event_type,
                "created_at": time(e.created_at),
                "attempts": e.attempts,
                "last_error": e.last_error,
                "payload": e.payload,
            }
            for e in events
        ]
    )
