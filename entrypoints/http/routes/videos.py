"""The video library: create, list, get, search, update, delete, size sum (API.md Part A)."""

from __future__ import annotations

from sanic import Blueprint, HTTPResponse, Request

from entrypoints.http.auth import user_id
from entrypoints.http.docs import BYTES, INT, STR, VIDEO, array, describe, described, json_body, ok_envelope, query
from entrypoints.http.parsing import JsonBody, query_optional_text, query_page, query_text
from entrypoints.http.replies import ok
from entrypoints.http.resources import resources
from vod_core.services.videos import VideoPage

bp = Blueprint("videos", url_prefix="/video/api")

ID = query("id", {"type": "string"}, "video id", required=True)
PAGE = query("page", {"type": "integer", "minimum": 1}, "page number, default 1")
PAGE_SIZE = query("page_size", {"type": "integer", "minimum": 1, "maximum": 100}, "videos per page, default 15")
VIDEO_LIST = ok_envelope(videos=array(VIDEO), count=INT)
DEFAULT_PAGE_SIZE = 15


def _page(request: Request, page: VideoPage) -> HTTPResponse:
    present = resources(request).presenter
    return ok(videos=[present.video(v) for v in page.videos], count=page.count)


@bp.post("/create")
@describe(
    "Create a video from an uploaded file or from a URL; it is probed and made ready in the background",
    body=json_body(
        {
            "storage_id": described(STR, "storage id returned by uploadFile; must be the caller's"),
            # No "format: uri" and no example: generated test requests (schemathesis against a real
            # server) must not make the service download from hosts outside the machine.
            "source_url": described(
                {"type": "string", "maxLength": 2048},
                "instead of storage_id: an http(s) URL the service downloads the original from "
                "(public addresses only unless VOD_ALLOW_PRIVATE_URLS=1); the video starts in status 2",
            ),
            "source_type": described(STR, "free label (at most 255 characters), searchable exactly"),
            "source_id": described(STR, "free label (at most 255 characters)"),
            "video_name": described(STR, "at most 255 characters; default: the uploaded file's name"),
            "skip_auto_trans": described({"type": "boolean"}, "do not start the auto-transcode templates"),
        },
    ),
    ok=ok_envelope(id=described(STR, "the new video's id", "17lok52y")),
    errors=(400, 404, 409),
    description=(
        "Exactly one of storage_id and source_url. Poll getVideo until status is 1 (ready) or 3 (not a usable "
        "video, or the download failed: failure_reason says why); a video_ready event follows."
    ),
)
async def create_video(request: Request) -> HTTPResponse:
    uid = await user_id(request)
    body = JsonBody.of(request)
    video = await resources(request).vod.videos.create_video(
        uid,
        body.text("storage_id"),
        source_url=body.text("source_url"),
        source_type=body.text("source_type") or "",
        source_id=body.text("source_id") or "",
        video_name=body.text("video_name"),
        skip_auto_trans=body.boolean("skip_auto_trans"),
    )
    return ok(id=video.id)


@bp.get("/list")
@describe("The caller's videos, newest first", params=[PAGE, PAGE_SIZE], ok=VIDEO_LIST, errors=(400,))
async def list_videos(request: Request) -> HTTPResponse:
    uid = await user_id(request)
    page = query_page(request, DEFAULT_PAGE_SIZE)
    return _page(request, await resources(request).vod.videos.list_videos(uid, page))


@bp.get("/get")
@describe("One video with its play sets", params=[ID], ok=ok_envelope(video=VIDEO))
async def get_video(request: Request) -> HTTPResponse:
    uid = await user_id(request)
    details = await resources(request).vod.videos.get_video(uid, query_text(request, "id", required=True))
    return ok(video=resources(request).presenter.video(details))


@bp.get("/search")
@describe(
    "Search by exact id or name substring (case-insensitive), optionally by source type",
    params=[
        query("search", {"type": "string"}, "a video id or part of a name; empty matches all"),
        query("source_type", {"type": "string"}, "exact source type; absent matches any"),
        PAGE,
        PAGE_SIZE,
    ],
    ok=VIDEO_LIST,
    errors=(400,),
)
async def search_videos(request: Request) -> HTTPResponse:
    uid = await user_id(request)
    page = query_page(request, DEFAULT_PAGE_SIZE)
    found = await resources(request).vod.videos.search_videos(
        uid, page, query_text(request, "search"), query_optional_text(request, "source_type")
    )
    return _page(request, found)


@bp.post("/update")
@describe(
    "Rename a video and/or replace its cover (the old cover is deleted)",
    params=[ID],
    body=json_body(
        {
            "video_name": described(STR, "new name, at most 255 characters"),
            "thumb_storage_id": described(STR, "storage id of an uploaded image that becomes the cover"),
        }
    ),
)
async def update_video(request: Request) -> HTTPResponse:
    uid = await user_id(request)
    video_id = query_text(request, "id", required=True)
    body = JsonBody.of(request)
    await resources(request).vod.videos.update_video(
        uid, video_id, video_name=body.text("video_name"), thumb_storage_id=body.text("thumb_storage_id")
    )
    return ok()


@bp.post("/delete")
@describe("Delete a video, its play sets and stored files (idempotent)", params=[ID])
async def delete_video(request: Request) -> HTTPResponse:
    uid = await user_id(request)
    await resources(request).vod.videos.delete_video(uid, query_text(request, "id", required=True))
    return ok()


@bp.post("/delete_videos")
@describe(
    "Delete up to 100 videos, all or none",
    params=[query("ids", {"type": "string"}, "comma-separated video ids", required=True)],
)
async def delete_videos(request: Request) -> HTTPResponse:
    uid = await user_id(request)
    ids = [part.strip() for part in query_text(request, "ids", required=True).split(",")]
    await resources(request).vod.videos.delete_videos(uid, ids)
    return ok()


@bp.get("/get_video_size_sum")
@describe(
    "Bytes used by the caller's videos: originals, renditions and covers",
    ok=ok_envelope(size_sum=described(BYTES, "bytes")),
    errors=(),
)
async def get_video_size_sum(request: Request) -> HTTPResponse:
    uid = await user_id(request)
    return ok(size_sum=await resources(request).vod.videos.size_sum(uid))
