"""The HTTP app in-process over the in-memory Vod, fake media and local-file storage."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sanic import Sanic
from sanic_testing.testing import SanicASGITestClient, TestingResponse

from adapters.jobs.traffic_feed import InProcessTrafficFeed
from adapters.memory import MemoryJobQueue
from adapters.memory.fake_media import fake_video_bytes
from adapters.storage import LocalStorage
from entrypoints.bootstrap import bootstrap
from entrypoints.config import Config
from entrypoints.http import Resources, create_app
from entrypoints.http.presenters import Presenter
from tests.support.clock import SteppingClock
from vod_core import Vod
from vod_core.ports.partial_uploads import PartialUploads
from vod_core.ports.storage import ObjectStorage

BASE_URL = "http://vod.test"
START = datetime(2026, 1, 1, 4, 0, tzinfo=UTC)  # 12:00 in Asia/Shanghai
_app_names = itertools.count()


@pytest.fixture(autouse=True, scope="session")
def sanic_test_mode() -> Iterator[None]:
    Sanic.test_mode = True
    yield
    Sanic.test_mode = False


@dataclass
class Api:
    """A client of the service with one user's key; ``as_user(None)`` drops the key."""

    client: SanicASGITestClient
    key: str | None
    extra_headers: dict[str, str] | None = None
    """Sent with every request (e.g. a forwarded client address)."""

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        merged = {"Authorization": f"Bearer {self.key}"} if self.key else {}
        return {**merged, **(self.extra_headers or {}), **(headers or {})}

    async def get(self, path: str, headers: dict[str, str] | None = None, **params: Any) -> TestingResponse:
        # No params: keep the query of ``path`` (a signed media URL); an empty dict would drop it.
        _, response = await self.client.get(path, params=params or None, headers=self._headers(headers))
        return response

    async def head(self, path: str, headers: dict[str, str] | None = None) -> TestingResponse:
        _, response = await self.client.head(path, headers=self._headers(headers))
        return response

    async def post(
        self, path: str, body: Any = None, *, params: dict[str, Any] | None = None, **kwargs: Any
    ) -> TestingResponse:
        if body is not None:
            kwargs["json"] = body
        kwargs["headers"] = self._headers(kwargs.get("headers"))
        _, response = await self.client.post(path, params=params or {}, **kwargs)
        return response

    def as_user(self, key: str | None) -> Api:
        return Api(self.client, key)


@dataclass
class Service:
    vod: Vod
    jobs: MemoryJobQueue
    clock: SteppingClock
    traffic: InProcessTrafficFeed
    api: Api

    async def process(self) -> None:
        """Run the background work (probe, cover, transcodes) queued so far."""
        await self.jobs.drain(self.vod.processing.handle)

    async def new_user(self, name: str) -> Api:
        _, key = await self.vod.users.create_user(name)
        return self.api.as_user(key)

    async def upload(self, api: Api | None = None, data: bytes | None = None, filename: str = "clip.mp4") -> str:
        response = await (api or self.api).post(
            "/storage/api/upload", params={"filename": filename}, content=fake_video_bytes() if data is None else data
        )
        assert response.status == 200, response.text
        storage_id: str = response.json["storage_id"]
        return storage_id

    async def ready_video(self, api: Api | None = None, name: str = "clip.mp4", **fields: Any) -> str:
        storage_id = await self.upload(api, filename=name)
        response = await (api or self.api).post("/video/api/create", {"storage_id": storage_id, **fields})
        assert response.status == 200, response.text
        await self.process()
        video_id: str = response.json["id"]
        return video_id


@pytest.fixture
def service_config() -> Config:
    """The service's configuration; a test may parametrize ``service_config`` to change it."""
    return Config.in_memory(public_base_url=BASE_URL)


@pytest.fixture
def service_storage(tmp_path: Path) -> ObjectStorage:
    """Where the service keeps stored files; a test module may override it (tests/http/test_s3_files.py)."""
    return LocalStorage(str(tmp_path / "storage"))


@pytest.fixture
def service_partial_uploads() -> PartialUploads | None:
    """Where the service keeps unfinished tus uploads (``None``: bootstrap's choice); a test module may override it."""
    return None


@pytest.fixture
async def service(
    service_config: Config, service_storage: ObjectStorage, service_partial_uploads: PartialUploads | None
) -> AsyncIterator[Service]:
    clock, jobs = SteppingClock(START), MemoryJobQueue()
    vod = bootstrap(
        service_config, storage=service_storage, jobs=jobs, clock=clock, partial_uploads=service_partial_uploads
    ).vod
    traffic = InProcessTrafficFeed(vod.traffic.ingest, max_delay_s=0.01)
    traffic.start()
    resources = Resources(vod, traffic, Presenter(vod.ctx.zone, vod.ctx.links))

    @asynccontextmanager
    async def open_resources() -> AsyncIterator[Resources]:
        yield resources

    app = create_app(open_resources, name=f"vod_test_{next(_app_names)}", settings=service_config)
    _, key = await vod.users.create_user("alice")
    yield Service(vod, jobs, clock, traffic, Api(SanicASGITestClient(app), key))
    await traffic.stop()


def local(url: str) -> str:
    """The path (and query) of a media URL handed out by the service."""
    assert url.startswith(BASE_URL + "/"), url
    return url[len(BASE_URL) :]


def unsigned(url: str) -> str:
    """A handed-out media URL without its query: what it would be without a signature."""
    return url.partition("?")[0]
