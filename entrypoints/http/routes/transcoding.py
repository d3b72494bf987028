"""Transcoding: start a rendition, the built-in templates, the auto-transcode configuration."""

from __future__ import annotations

from sanic import Blueprint, HTTPResponse, Request

from entrypoints.http.auth import user_id
from entrypoints.http.docs import INT, STR, TEMPLATE, array, describe, described, json_body, ok_envelope, query
from entrypoints.http.parsing import JsonBody, query_text
from entrypoints.http.presenters import Presenter
from entrypoints.http.replies import ok
from entrypoints.http.resources import resources

bp = Blueprint("transcoding", url_prefix="/video/api")

TEMPLATE_IDS = {"type": "array", "items": INT}


@bp.post("/trans")
@describe(
    "Start a transcode of a ready video with a template; redo replaces an existing one",
    params=[query("id", {"type": "string"}, "video id", required=True)],
    body=json_body(
        {
            "task_config_temp_id": described(INT, "template id: 1 360P, 2 480P, 3 720P, 4 1080P, 5 Origin"),
            "redo": described({"type": "boolean"}, "replace an existing play set of this template"),
        },
        ["task_config_temp_id"],
    ),
    ok=ok_envelope(play_set_id=described(STR, "the new play set's id")),
    errors=(400, 404, 409),
    tag="transcoding",
    description="Poll getVideo until the play set's status is 1 (ready); a video_play_set_ready event follows.",
)
async def start_transcode(request: Request) -> HTTPResponse:
    uid = await user_id(request)
    video_id = query_text(request, "id", required=True)
    body = JsonBody.of(request)
    play_set = await resources(request).vod.transcoding.start_transcode(
        uid, video_id, body.required_integer("task_config_temp_id"), body.boolean("redo")
    )
    return ok(play_set_id=play_set.id)


@bp.get("/list_trans_templates")
@describe(
    "The built-in transcode templates (1 360P, 2 480P, 3 720P, 4 1080P, 5 Origin)",
    ok=ok_envelope(templates=array(TEMPLATE)),
    errors=(),
    tag="transcoding",
)
async def list_trans_templates(request: Request) -> HTTPResponse:
    await user_id(request)
    templates = resources(request).vod.transcoding.list_templates()
    return ok(templates=[Presenter.template(t) for t in templates])


@bp.post("/save_trans_config")
@describe(
    "Templates every new video is transcoded with (unless skip_auto_trans)",
    body=json_body({"task_config_temp_ids": TEMPLATE_IDS}, ["task_config_temp_ids"]),
    ok=ok_envelope(task_config_temp_ids=TEMPLATE_IDS),
    errors=(400,),
    tag="transcoding",
)
async def save_trans_config(request: Request) -> HTTPResponse:
    uid = await user_id(request)
    template_ids = JsonBody.of(request).integer_list("task_config_temp_ids")
    saved = await resources(request).vod.preferences.save_trans_config(uid, template_ids)
    return ok(task_config_temp_ids=saved)


@bp.post("/delete_trans_config")
@describe("Stop transcoding new videos automatically", errors=(), tag="transcoding")
async def delete_trans_config(request: Request) -> HTTPResponse:
    uid = await user_id(request)
    await resources(request).vod.preferences.delete_trans_config(uid)
    return ok()


@bp.get("/get_trans_config")
@describe(
    "The auto-transcode templates", ok=ok_envelope(task_config_temp_ids=TEMPLATE_IDS), errors=(), tag="transcoding"
)
async def get_trans_config(request: Request) -> HTTPResponse:
    uid = await user_id(request)
    return ok(task_config_temp_ids=await resources(request).vod.preferences.get_trans_config(uid))
