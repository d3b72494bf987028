"""The HTTP app in-process for the operations tests: real media and the in-process job runner when asked."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sanic import Sanic
from sanic_testing.testing import SanicASGITestClient

from adapters.jobs.inprocess import InProcessJobQueue
from adapters.jobs.traffic_feed import InProcessTrafficFeed
from adapters.media import PyAVProber, PyAVThumbnailer, PyAVTranscoder
from adapters.storage import LocalStorage
from entrypoints.bootstrap import bootstrap
from entrypoints.config import Config
from entrypoints.http import Resources, create_app
from entrypoints.http.app import App
from entrypoints.http.presenters import Presenter
from vod_core import Vod

BASE_URL = "http://vod.test"
_names = itertools.count()


@pytest.fixture(autouse=True, scope="session")
def sanic_test_mode() -> Iterator[None]:
    Sanic.test_mode = True
    yield
    Sanic.test_mode = False


@dataclass
class Service:
    vod: Vod
    app: App
    client: SanicASGITestClient
    jobs: InProcessJobQueue
    traffic: InProcessTrafficFeed
    key: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


@asynccontextmanager
async def running_service(tmp_path: Path, settings: Config | None = None) -> AsyncIterator[Service]:
    """The app over an in-memory database, local storage, real PyAV media and the in-process job runner."""
    transcoder = PyAVTranscoder(max_workers=1)
    jobs = InProcessJobQueue(concurrency=1)
    vod = bootstrap(
        Config.in_memory(public_base_url=BASE_URL),
        storage=LocalStorage(str(tmp_path / "storage")),
        prober=PyAVProber(),
        thumbnailer=PyAVThumbnailer(),
        transcoder=transcoder,
        jobs=jobs,
    ).vod
    jobs.start(vod.processing.handle)
    traffic = InProcessTrafficFeed(vod.traffic.ingest, max_delay_s=0.01)
    traffic.start()
    resources = Resources(vod, traffic, Presenter(vod.ctx.zone, vod.ctx.links))

    @asynccontextmanager
    async def open_resources() -> AsyncIterator[Resources]:
        yield resources

    app = create_app(open_resources, name=f"vod_ops_{next(_names)}", settings=settings)
    _, key = await vod.users.create_user("alice")
    try:
        yield Service(vod, app, SanicASGITestClient(app), jobs, traffic, key)
    finally:
        await jobs.stop()
        await traffic.stop()
        await transcoder.close()


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[Service]:
    async with running_service(tmp_path) as running:
        yield running
