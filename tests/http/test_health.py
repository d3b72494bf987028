"""``GET /health``: answers from a read, so probes never queue behind writers (nor make them wait)."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sanic_testing.testing import SanicASGITestClient

from adapters.jobs.traffic_feed import InProcessTrafficFeed
from adapters.tortoise import TortoiseDatabase
from adapters.tortoise.database import SQLITE_FILE, sqlite_url
from entrypoints.bootstrap import bootstrap
from entrypoints.config import Config
from entrypoints.http import Resources, create_app
from entrypoints.http.presenters import Presenter
from tests.http.conftest import Service

_names = itertools.count()


async def test_health_answers_ok(service: Service) -> None:
    response = await service.api.as_user(None).get("/health")
    assert (response.status, response.json["status"]) == (200, "ok")


async def test_health_answers_while_another_connection_holds_the_sqlite_write_lock(tmp_path: Path) -> None:
    # A short busy timeout: a probe that wanted the write lock would fail fast instead of answering.
    database = TortoiseDatabase(sqlite_url(str(tmp_path)) + "?busy_timeout=200")
    await database.connect()
    vod = bootstrap(Config.in_memory(), database=database).vod
    traffic = InProcessTrafficFeed(vod.traffic.ingest)
    resources = Resources(vod, traffic, Presenter(vod.ctx.zone, vod.ctx.links))

    @asynccontextmanager
    async def open_resources() -> AsyncIterator[Resources]:
        yield resources

    client = SanicASGITestClient(create_app(open_resources, name=f"vod_health_{next(_names)}"))
    writer = sqlite3.connect(tmp_path / SQLITE_FILE, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # the write lock, as a writing unit of work on another process holds it
        _, response = await client.get("/health")
        assert (response.status, response.json["status"]) == (200, "ok")
        writer.execute("ROLLBACK")
    finally:
        writer.close()
        await database.close()
