"""OpenAPI descriptions of the routes (served by sanic-ext at ``/docs/openapi.json``).

Schemas are written as plain JSON Schema so they state exactly what the
presenters emit (64-bit sizes, required fields); schemathesis checks every
response against them, which keeps the two from drifting apart. The shapes
that recur (a video, a play set, the error envelope...) are named
``components/schemas`` and referenced, so generated clients get one type each.
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
BYTES = {"type": "integer", "minimum": 0, "description": "bytes"}
MILLISECONDS = {"type": "integer", "minimum": 0, "description": "milliseconds"}
PIXELS = {"type": "integer", "minimum": 0, "description": "pixels"}


def described(schema: dict[str, Any], description: str, example: Any = None) -> dict[str, Any]:
    """``schema`` with a description and, when given, an example value."""
    extra: dict[str, Any] = {"description": description}
    if example is not None:
        extra["example"] = example
    return {**schema, **extra}


def obj(properties: dict[str, Any], *, required: Sequence[str] | None = None) -> dict[str, Any]:
    names = list(properties) if required is None else list(required)
    return {"type": "object", "properties": properties, "required": names}


def array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


def ref(name: str) -> dict[str, Any]:
    """A reference to one of :data:`SCHEMAS` (tests check that every reference resolves)."""
    return {"$ref": f"#/components/schemas/{name}"}


def _time(what: str, example: str = "2026-01-01T12:00:00+08:00") -> dict[str, Any]:
    return described(TIME, f"{what}, RFC 3339 in the service time zone", example)


_PLAY_SET = obj(
    {
        "play_set_id": described(STR, "play set id", "p3k9x0ab"),
        "created_at": _time("when the transcode was requested"),
        "updated_at": _time("last change"),
        "storage_id": described(STR, "storage id of the rendition file; empty until uploaded"),
        "status": described(
            {"type": "integer", "minimum": 0, "maximum": 7},
            "0 initial, 1 ready, 2 transcoding, 3 transcoded, 4 transcode failed, 5 uploading, 6 upload failed, "
            "7 deleted",
            1,
        ),
        "trans_progress": described(
            {"type": "number", "minimum": 0, "maximum": 1}, "0.0..1.0; exactly 1.0 when ready", 1.0
        ),
        "trans_task_config_temp_id": described(INT, "template id (1 360P, 2 480P, 3 720P, 4 1080P, 5 Origin)", 3),
        "url": described(STR, "download URL of the rendition; empty until ready", "http://127.0.0.1:8000/files/abc"),
        "file_size": described(BYTES, "size of the rendition in bytes", 7340032),
        "video_width": described(PIXELS, "width in pixels", 1280),
        "video_height": described(PIXELS, "height in pixels", 720),
        "video_duration": described(MILLISECONDS, "duration in milliseconds", 30000),
        "resolution": described(
            {"type": "string", "enum": ["360P", "480P", "720P", "1080P", "Origin"]}, "template resolution", "720P"
        ),
    }
)

_VIDEO = obj(
    {
        "id": described(STR, "video id", "17lok52y"),
        "created_at": _time("creation time"),
        "updated_at": _time("last change"),
        "source_type": described(STR, "free label given at creation", "upload"),
        "source_id": described(STR, "free label given at creation", ""),
        "status": described(
            {"type": "integer", "minimum": 0, "maximum": 4},
            "0 initial, 1 ready, 2 uploading, 3 upload failed, 4 deleted",
            1,
        ),
        "storage_id": described(STR, "storage id of the original file"),
        "origin_url": described(STR, "download URL of the original; empty until ready"),
        "thumb_url": described(STR, "download URL of the cover (JPEG); empty until made"),
        "file_size": described(BYTES, "size of the original in bytes", 52428800),
        "video_name": described(STR, "name, at most 255 characters", "holiday.mp4"),
        "video_width": described(PIXELS, "width in pixels (0 until probed)", 1920),
        "video_height": described(PIXELS, "height in pixels (0 until probed)", 1080),
        "video_duration": described(MILLISECONDS, "duration in milliseconds (0 until probed)", 30000),
        "shared_state": described({"type": "integer", "enum": [0, 1, 2]}, "0 private, 1 with password, 2 public", 0),
        "share_password": described(STR, "share password (empty in get_shared_video)", ""),
        "play_set": described(array(ref("PlaySet")), "renditions that are not deleted"),
        "hls_url": described(
            STR,
            "HLS master playlist over the ready renditions (signed like the other URLs); empty while none is ready",
            "http://127.0.0.1:8000/hls/17lok52y/master.m3u8?expires=1767225600&signature=9f2c...",
        ),
    }
)

SCHEMAS: dict[str, dict[str, Any]] = {}
"""Every named schema of the document, by name (filled below; served under ``components/schemas``)."""

SCHEMAS.update(
    Error=described(
        obj(
            {
                "errcode": described(INT, "3101–3164, see the error codes", 3101),
                "msg": described(STR, "what was wrong, naming the field", "page_size must be between 1 and 100"),
            }
        ),
        "The error envelope",
    ),
    Ok=described(
        obj({"errcode": {"type": "integer", "enum": [1000]}, "msg": described(STR, '"OK"', "OK")}),
        "The success envelope (errcode 1000); routes with data add their fields beside it",
    ),
    PlaySet=described(_PLAY_SET, "One transcoded rendition of a video"),
)
SCHEMAS.update(
    Video=described(_VIDEO, "A video with its renditions"),
    StoredFile=described(
        obj(
            {
                "storage_id": described(STR, "storage id", "u7x2m9qk4d1c0b8a"),
                "file_size": described(BYTES, "size in bytes", 52428800),
                "filename": described(STR, "file name given at upload", "holiday.mp4"),
                "content_type": described(STR, "media type guessed from the name", "video/mp4"),
                "created_at": _time("upload time"),
            }
        ),
        "An uploaded file",
    ),
    DeadEvent=described(
        obj(
            {
                "delivery_id": described(STR, "the X-VOD-Delivery id"),
                "event_type": {"type": "string", "enum": ["video_ready", "video_play_set_ready"]},
                "created_at": _time("when the event happened"),
                "attempts": described(INT, "delivery attempts made", 12),
                "last_error": described(STR, "why the last attempt failed", "HTTP 502"),
                "payload": described({"type": "object"}, "the body that was to be sent"),
            }
        ),
        "A webhook event given up on after 24 hours of retries",
    ),
    Callback=described(
        obj(
            {
                "event": {"type": "string", "enum": ["video", "transcoding"]},
                "url": described(STR, "where events of this category are POSTed", "https://example.com/hook"),
                "secret": described(STR, "HMAC-SHA256 key of X-VOD-Signature"),
            }
        ),
        "A configured callback",
    ),
    TranscodeTemplate=described(
        obj(
            {
                "task_config_temp_id": described(INT, "template id", 3),
                "resolution": described(STR, "name", "720P"),
                "short_side": described(INT, "short side in pixels; 0 keeps the source size", 720),
                "video_bitrate_kbps": described(INT, "video bitrate in kbit/s; 0 for Origin", 2500),
                "audio_bitrate_kbps": described(INT, "AAC bitrate in kbit/s", 128),
            }
        ),
        "A built-in transcode template",
    ),
    VideoTotal=described(
        obj(
            {
                "video_id": STR,
                "video_name": STR,
                "video_created_at": _time("creation time of the video"),
                "total_bytes": described(BYTES, "bytes served", 1048576),
            }
        ),
        "Traffic of one video",
    ),
    DayTotal=described(
        obj(
            {
                "date": described({"type": "string", "format": "date"}, "day in the service time zone", "2026-01-01"),
                "total_bytes": described(BYTES, "bytes served that day", 1048576),
            }
        ),
        "Traffic of one day",
    ),
    MinuteTraffic=described(
        obj({"time": _time("start of the minute"), "bytes": described(BYTES, "bytes served in that minute", 4096)}),
        "Traffic of one minute",
    ),
)

VIDEO = ref("Video")
ERROR = ref("Error")
DEAD_EVENT = ref("DeadEvent")
CALLBACK = ref("Callback")
TEMPLATE = ref("TranscodeTemplate")
VIDEO_TOTAL = ref("VideoTotal")
DAY_TOTAL = ref("DayTotal")
MINUTE_TRAFFIC = ref("MinuteTraffic")


def ok_envelope(**fields: dict[str, Any]) -> dict[str, Any]:
    """The success envelope (``errcode`` 1000) with the route's own fields; ``Ok`` when it has none."""
    if not fields:
        return ref("Ok")
    return obj({"errcode": {"type": "integer", "enum": [1000]}, "msg": STR, **fields})


STORED_FILE = {"allOf": [ref("Ok"), ref("StoredFile")]}
"""The upload's reply: the success envelope with the stored file's fields beside ``errcode``."""

ERROR_TEXT = {
    400: "3101: invalid parameter (the message names it)",
    401: "3108: missing or invalid API key",
    403: "3108: access denied",
    404: "3102: not found (or another user's)",
    409: "3103–3107: the video's state does not allow this",
    410: "3102: the resumable upload expired",
    412: "3101: another tus version (Tus-Version lists ours)",
    413: "3101: the upload is larger than the limit",
    415: "3101: a tus chunk must be application/offset+octet-stream",
    416: "the range cannot be satisfied",
    460: "3101: the tus chunk's Upload-Checksum does not match; it was discarded",
    429: "3108: too many wrong passwords from this client; wait for Retry-After seconds",
    500: "311x–316x or 3100: internal error; the message carries a request id",
}

API_DESCRIPTION = """\
Upload, process, transcode, share and play videos and measure their traffic.

* Every JSON response carries `errcode` (1000 = OK) and `msg`; errors keep that envelope \
(schema `Error`) with the HTTP status of the error class.
* Authentication: `Authorization: Bearer <api key>`, except `get_shared_video`, `/files/...` and `/health`.
* Units: sizes (`file_size`, `bytes`, `total_bytes`, `size_sum`) are bytes; `video_duration` is \
milliseconds; widths and heights are pixels; response timestamps are RFC 3339 in the service time zone; \
query timestamps (`start`, `end`) are Unix seconds.
* Paging: `page` ≥ 1, `page_size` 1..100; `count` is the total matching.
"""


def add_components(spec: Any) -> None:
    """Register the named schemas and the server on sanic-ext's (process-wide) specification builder."""
    for name, schema in SCHEMAS.items():
        spec.add_component("schemas", name, schema)
    # The builder is a singleton shared by every app of the process: add the server once.
    if not any(server.fields.get("url") == "/" for server in spec._servers):
        spec.raw({"servers": [{"url": "/", "description": "this service (the host serving this document)"}]})


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


def operation_id(handler_name: str) -> str:
    """``list_video_total_summary`` → ``listVideoTotalSummary``."""
    first, *rest = handler_name.split("_")
    return first + "".join(word.capitalize() for word in rest)


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
    operation: str | None = None,
    description: str | None = None,
) -> Callable[[F], F]:
    """One route's documentation: summary, parameters, body, the success shape and its error statuses.

    ``operation`` is the operationId; by default the handler's name in camelCase.
    """
    content = ok_content if ok_content is not None else {"application/json": ok or ok_envelope()}
    responses = [Response(content, status=200, description="OK")]
    statuses = sorted({*errors, 500} | (set() if public else {401}))
    responses += [Response({"application/json": ERROR}, status=s, description=ERROR_TEXT[s]) for s in statuses]

    def decorate(handler: F) -> F:
        definition = openapi.definition(
            operation=operation or operation_id(handler.__name__),
            summary=summary,
            description=description,
            tag=tag,
            parameter=list(params) or None,
            body=body,
            response=responses,
            secured=None if public else {SECURITY_SCHEME: []},
        )
        decorated: F = definition(handler)
        return decorated

    return decorate
