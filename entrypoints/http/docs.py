"""OpenAPI descriptions of the routes (served by sanic-ext at ``/docs/openapi.json``).

Schemas are written as plain JSON Schema so they state exactly what the
presenters emit (64-bit sizes, required fields); schemathesis checks every
response against them, which keeps the two from drifting apart.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sanic_ext import openapi
from sanic_ext.extensions.openapi.definitions import Parameter, RequestBody, Response
from sanic_ext.extensions.openapi.types import Schema

F = TypeVar("F", bound=Callable[..., Any])
_schema: Callable[..., Schema] = Schema  # sanic-ext's constructor is untyped

SECURITY_SCHEME = "bearer"

INT = {"type": "integer"}
STR = {"type": "string"}
TIME = {"type": "string", "format": "date-time"}


def obj(properties: dict[str, Any], *, required: Sequence[str] | None = None) -> dict[str, Any]:
    names = list(properties) if required is None else list(required)
    return {"type": "object", "properties": properties, "required": names}


def array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


def ok_envelope(**fields: dict[str, Any]) -> dict[str, Any]:
    return obj({"errcode": {"type": "integer", "enum": [1000]}, "msg": STR, **fields})


ERROR = obj({"errcode": INT, "msg": STR})

PLAY_SET = obj(
    {
        "play_set_id": STR,
        "created_at": TIME,
        "updated_at": TIME,
        "storage_id": STR,
        "status": {"type": "integer", "minimum": 0, "maximum": 7},
        "trans_progress": {"type": "number", "minimum": 0, "maximum": 1},
        "trans_task_config_temp_id": INT,
        "url": STR,
        "file_size": INT,
        "video_width": INT,
        "video_height": INT,
        "video_duration": INT,
        "resolution": {"type": "string", "enum": ["360P", "480P", "720P", "1080P", "Origin"]},
    }
)

VIDEO = obj(
    {
        "id": STR,
        "created_at": TIME,
        "updated_at": TIME,
        "source_type": STR,
        "source_id": STR,
        "status": {"type": "integer", "minimum": 0, "maximum": 4},
        "storage_id": STR,
        "origin_url": STR,
        "thumb_url": STR,
        "file_size": INT,
        "video_name": STR,
        "video_width": INT,
        "video_height": INT,
        "video_duration": INT,
        "shared_state": {"type": "integer", "enum": [0, 1, 2]},
        "share_password": STR,
        "play_set": array(PLAY_SET),
    }
)

DEAD_EVENT = obj(
    {
        "delivery_id": STR,
        "event_type": {"type": "string", "enum": ["video_ready", "video_play_set_ready"]},
        "created_at": TIME,
        "attempts": INT,
        "last_error": STR,
        "payload": {"type": "object"},
    }
)
"""A webhook event given up on; ``payload`` is the body that was to be sent (API.md, events)."""

STORED_FILE = ok_envelope(storage_id=STR, file_size=INT, filename=STR, content_type=STR, created_at=TIME)

ERROR_TEXT = {
    400: "3101: invalid parameter (the message names it)",
    401: "3108: missing or invalid API key",
    403: "3108: access denied",
    404: "3102: not found (or another user's)",
    409: "3103–3107: the video's state does not allow this",
    413: "3101: the upload is larger than the limit",
    416: "the range cannot be satisfied",
    500: "311x–316x or 3100: internal error; the message carries a request id",
}


def query(name: str, schema: dict[str, Any], description: str = "", *, required: bool = False) -> Parameter:
    return Parameter(name, _schema(**schema), "query", description=description or None, required=required)


def path(name: str, description: str) -> Parameter:
    return Parameter(name, _schema(type="string"), "path", description=description, required=True)


def json_body(properties: dict[str, Any], required: Sequence[str] = ()) -> RequestBody:
    """A JSON object body; optional fields may be ``null``, which the parser reads as "not given"."""
    fields = {name: spec if name in required else {**spec, "nullable": True} for name, spec in properties.items()}
    schema: dict[str, Any] = {"type": "object", "properties": fields}
    if required:
        schema["required"] = list(required)
    return RequestBody({"application/json": schema}, required=True)


def describe(
    summary: str,
    *,
    ok: dict[str, Any] | None = None,
    params: Sequence[Parameter] = (),
    body: RequestBody | dict[str, Any] | None = None,
    errors: Sequence[int] = (400, 401, 404),
    public: bool = False,
    tag: str = "videos",
    ok_content: dict[str, Any] | None = None,
) -> Callable[[F], F]:
    """One route's documentation: summary, parameters, body, the success shape and its error statuses."""
    content = ok_content if ok_content is not None else {"application/json": ok or ok_envelope()}
    responses = [Response(content, status=200, description="OK")]
    statuses = sorted({*errors, 500} | (set() if public else {401}))
    responses += [Response({"application/json": ERROR}, status=s, description=ERROR_TEXT[s]) for s in statuses]

    def decorate(handler: F) -> F:
        definition = openapi.definition(
            summary=summary,
            tag=tag,
            parameter=list(params) or None,
            body=body,
            response=responses,
            secured=None if public else {SECURITY_SCHEME: []},
        )
        decorated: F = definition(handler)
        return decorated

    return decorate
