"""Upload from URL over HTTP (API.md C3): a real clip served on loopback, private URLs allowed for the test."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sanic_testing.testing import SanicASGITestClient

from adapters.jobs.traffic_feed import InProcessTrafficFeed
from adapters.media import PyAVProber, PyAVThumbnailer
from adapters.memory import MemoryJobQueue
from adapters.storage import LocalStorage
from entrypoints.bootstrap import bootstrap
from entrypoints.config import Config
from entrypoints.http import Resources, create_app
from entrypoints.http.presenters import Presenter
from tests.http.conftest import BASE_URL, Api
from tests.media.factory import Clip, make_clip
from tests.support.media_server import MediaServer, media_server
from vod_core import Vod

_names = itertools.count()
CLIP = Clip(width=160, height=90, seconds=1.0)


class UrlService:
    def __init__(self, vod: Vod, jobs: MemoryJobQueue, api: Api) -> None:
        self.vod, self.jobs, self.api = vod, jobs, api

    async def create(self, **fields: object) -> str:
        response = await self.api.post("/video/api/create", fields)
        assert response.status == 200, response.text
        video_id: str = response.json["id"]
        return video_id

    async def video(self, video_id: str) -> dict[str, object]:
        response = await self.api.get("/video/api/get", id=video_id)
        assert response.status == 200, response.text
        video: dict[str, object] = response.json["video"]
        return video


@asynccontextmanager
async def url_service(tmp_path: Path, **config: object) -> AsyncIterator[UrlService]:
    jobs = MemoryJobQueue()
    runtime = bootstrap(
        Config.in_memory(public_base_url=BASE_URL, **config),
        storage=LocalStorage(str(tmp_path / "storage")),
        jobs=jobs,
        prober=PyAVProber(),
        thumbnailer=PyAVThumbnailer(),
    )
    vod = runtime.vod
    traffic = InProcessTrafficFeed(vod.traffic.ingest)
    resources = Resources(vod, traffic, Presenter(vod.ctx.zone, vod.ctx.links))

    @asynccontextmanager
    async def opened() -> AsyncIterator[Resources]:
        yield resources

    app = create_app(opened, name=f"vod_url_{next(_names)}")
    _, key = await vod.users.create_user("alice")
    try:
        yield UrlService(vod, jobs, Api(SanicASGITestClient(app), key))
    finally:
        await runtime.close()


@pytest.fixture
async def clips(tmp_path: Path) -> AsyncIterator[MediaServer]:
    path = tmp_path / "clip.mp4"
    make_clip(str(path), CLIP)
    async with media_server({"clip.mp4": path.read_bytes(), "notes.txt": b"not a video at all"}) as server:
        yield server


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[UrlService]:
    async with url_service(tmp_path, allow_private_urls=True) as running:
        yield running


async def test_a_clip_downloaded_from_a_url_becomes_ready(service: UrlService, clips: MediaServer) -> None:
    video_id = await service.create(source_url=clips.url("/redirect/1"), source_type="feed")
    uploading = await service.video(video_id)
    assert uploading["status"] == 2 and uploading["failure_reason"] == "" and uploading["origin_url"] == ""
    await service.jobs.drain(service.vod.processing.handle)
    ready = await service.video(video_id)
    assert ready["status"] == 1 and ready["failure_reason"] == ""
    assert (ready["video_width"], ready["video_height"]) == (CLIP.width, CLIP.height)
    assert ready["file_size"] == len(clips.files["clip.mp4"]) and ready["thumb_url"] != ""
    assert ready["video_name"] == "1"  # named after the URL it was created from
    assert clips.requested == ["/redirect/1", "/files/clip.mp4"]


@pytest.mark.parametrize(
    ("path", "reason"),
    [("/missing", "download failed: HTTP 404"), ("/files/notes.txt", "not a video: cannot read the file as media")],
)
async def test_a_failed_url_video_says_why(service: UrlService, clips: MediaServer, path: str, reason: str) -> None:
    video_id = await service.create(source_url=clips.url(path))
    await service.jobs.drain(service.vod.processing.handle)
    failed = await service.video(video_id)
    assert failed["status"] == 3 and str(failed["failure_reason"]).startswith(reason)
    assert "/" not in str(failed["failure_reason"]).removeprefix(reason)  # no server paths in a reason
    trans = await service.api.post("/video/api/trans", {"task_config_temp_id": 1}, params={"id": video_id})
    assert (trans.status, trans.json["errcode"]) == (409, 3104)
    assert "3113" in trans.json["msg"] and reason in trans.json["msg"]
    listed = await service.api.get("/video/api/list")
    assert listed.json["videos"][0]["failure_reason"] == failed["failure_reason"]


async def test_an_oversize_source_fails_as_too_large(tmp_path: Path, clips: MediaServer) -> None:
    async with url_service(tmp_path, allow_private_urls=True, max_upload_bytes=1000) as service:
        video_id = await service.create(source_url=clips.url("/stream/clip.mp4"))
        await service.jobs.drain(service.vod.processing.handle)
        failed = await service.video(video_id)
        assert (failed["status"], failed["failure_reason"]) == (3, "download failed: too large")


async def test_private_source_urls_are_refused_unless_allowed(tmp_path: Path, clips: MediaServer) -> None:
    async with url_service(tmp_path) as service:
        response = await service.api.post("/video/api/create", {"source_url": clips.url("/files/clip.mp4")})
        assert (response.status, response.json["errcode"]) == (400, 3101)
        assert response.json["msg"].startswith("source_url ")
        assert (await service.api.get("/video/api/list")).json["count"] == 0
    assert clips.requested == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "storage_id"),
        ({"storage_id": "abc", "source_url": "https://media.example.com/a.mp4"}, "source_url"),
        ({"source_url": 7}, "source_url"),
        ({"source_url": "javascript:alert(1)"}, "source_url"),
    ],
)
async def test_create_names_the_bad_source_field(service: UrlService, body: dict[str, object], field: str) -> None:
    response = await service.api.post("/video/api/create", body)
    assert (response.status, response.json["errcode"]) == (400, 3101)
    assert response.json["msg"].startswith(f"{field} ")
