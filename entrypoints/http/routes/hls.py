"""HLS playlists at ``/hls/<video_id>/master.m3u8`` and ``/hls/<video_id>/<play_set_id>/media.m3u8``.

What a playlist lists and who may fetch it come from ``vod.playback`` (the
access rules of the video's files, API.md C1); this module only speaks
HTTP: the media header policy (CORS, sandbox), a validator for
revalidation, and traffic. A playlist is built from the database on every
request, so it must not be reused without asking: a play set that becomes
ready or is deleted, or a video that stops being public, shows in the very
next fetch. ``Cache-Control: no-cache`` (``private`` too when signed) lets
a cache or player keep it only to revalidate it by ``ETag`` (a 304 costs a
round trip but no playlist bytes). Every byte sent counts as the video's
traffic, as for its files.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sanic import Blueprint, HTTPResponse, Request

from entrypoints.http.conditional import not_modified
from entrypoints.http.docs import describe, path, query
from entrypoints.http.resources import resources
from entrypoints.http.routes.files import media_query, preflight
from entrypoints.http.security_headers import MEDIA
from vod_core.hls import MASTER, MEDIA_TYPE
from vod_core.services.access import Audience
from vod_core.services.playback import MEDIA_PLAYLIST, Playlist

bp = Blueprint("hls")

SIGNED_PLAYLIST = "private, no-cache"
PUBLIC_PLAYLIST = "no-cache"
_SIGNATURE_PARAMS = [
    query("expires", {"type": "string"}, "expiry of a signed URL (unix seconds), as handed out"),
    query("signature", {"type": "string"}, "signature of a signed URL, as handed out"),
]
_ERRORS = (403, 404)
_UNUSED_DATE = datetime.fromtimestamp(0, UTC)
"""Playlists have no ``Last-Modified`` (they are made now); only ``If-None-Match`` is read."""


@describe(
    "HLS master playlist of a video: its ready renditions, lowest first (hls_url on the video)",
    params=[path("video_id", "the video id"), *_SIGNATURE_PARAMS],
    ok_content={MEDIA_TYPE: {"type": "string"}},
    errors=_ERRORS,
    public=True,
    tag="playback",
    operation="getMasterPlaylist",
)
async def master_playlist(request: Request, video_id: str) -> HTTPResponse:
    if request.method == "OPTIONS":
        return preflight()
    playlist = await resources(request).vod.playback.master(video_id, media_query(request))
    return _respond(request, playlist)


@describe(
    "HLS media playlist of one rendition: byte ranges of its file at /files, as listed by the master playlist",
    params=[path("video_id", "the video id"), path("play_set_id", "the play set id"), *_SIGNATURE_PARAMS],
    ok_content={MEDIA_TYPE: {"type": "string"}},
    errors=_ERRORS,
    public=True,
    tag="playback",
    operation="getMediaPlaylist",
)
async def media_playlist(request: Request, video_id: str, play_set_id: str) -> HTTPResponse:
    if request.method == "OPTIONS":
        return preflight()
    playlist = await resources(request).vod.playback.media(video_id, play_set_id, media_query(request))
    return _respond(request, playlist)


def _respond(request: Request, playlist: Playlist) -> HTTPResponse:
    body = playlist.text.encode()
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    signed = playlist.permit.audience is Audience.SIGNED
    headers = {**MEDIA, "ETag": etag, "Cache-Control": SIGNED_PLAYLIST if signed else PUBLIC_PLAYLIST}
    if not_modified(request.headers.get("if-none-match"), None, etag, _UNUSED_DATE):
        return HTTPResponse(status=304, headers=headers)
    headers["Content-Length"] = str(len(body))
    if request.method == "HEAD":
        return HTTPResponse(status=200, headers=headers, content_type=MEDIA_TYPE)
    res = resources(request)
    res.traffic.submit(res.vod.traffic.served(playlist.video_id, len(body)))
    return HTTPResponse(body, status=200, headers=headers, content_type=MEDIA_TYPE)


bp.add_route(master_playlist, f"/hls/<video_id:str>/{MASTER}.m3u8", methods=["GET", "HEAD", "OPTIONS"])
bp.add_route(
    media_playlist, f"/hls/<video_id:str>/<play_set_id:str>/{MEDIA_PLAYLIST}.m3u8", methods=["GET", "HEAD", "OPTIONS"]
)
