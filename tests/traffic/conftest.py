"""Traffic tests run against every store: memory, SQLite (a temp file) and PostgreSQL (a fresh schema)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.memory.database import MemoryDatabase
from adapters.memory.unit_of_work import MemoryUnitOfWork
from adapters.tortoise import sqlite_url
from entrypoints.bootstrap import bootstrap
from entrypoints.config import Config
from tests.contract.conftest import open_database
from tests.support.units import Units
from vod_core import Vod
from vod_core.ports.unit_of_work import UnitOfWork
from vod_core.video import Video, VideoStatus

EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


@dataclass
class Store:
    """A :class:`Vod` over one store, and a way to put videos straight into it."""

    vod: Vod
    close: Callable[[], Coroutine[Any, Any, None]]

    async def add_video(self, video_id: str, user_id: str, name: str, *, deleted: bool = False, age: int = 0) -> Video:
        """A ready (or deleted) video created ``age`` seconds after ``EPOCH``."""
        created = EPOCH + timedelta(seconds=age)
        video = Video(video_id, user_id, f"s-{video_id}", name, created, created)
        video.status = VideoStatus.DELETED if deleted else VideoStatus.READY
        async with self.vod.ctx.uow() as uow:
            await uow.videos.add(video)
            await uow.commit()
        return video


def vod_over(uow: Callable[[], UnitOfWork], read_uow: Callable[[], UnitOfWork] | None = None) -> Vod:
    return bootstrap(Config.in_memory(), database=Units(uow, read_uow or uow)).vod


async def open_store(kind: str, url: str) -> Store:
    """An empty store of ``kind`` ("memory", "sqlite" with ``url`` a SQLite URL, or "postgres")."""
    if kind == "memory":
        memory = MemoryDatabase()

        async def nothing() -> None:
            return None

        return Store(vod_over(lambda: MemoryUnitOfWork(memory)), nothing)
    database = await open_database(kind, url)
    return Store(vod_over(database.unit_of_work, database.read_unit_of_work), database.close)


def store_url(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a fresh database of ``kind`` lives; asks for ``postgres_url`` only when needed."""
    if kind == "sqlite":
        return sqlite_url(str(tmp_path / "data"))
    if kind == "postgres":
        return str(request.getfixturevalue("postgres_url"))
    return ""


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store_location(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    """(kind, url); a sync fixture, since ``postgres_url`` runs its own event loop."""
    kind = str(request.param)
    return kind, store_url(kind, request, tmp_path)


@pytest.fixture
async def store(store_location: tuple[str, str]) -> AsyncIterator[Store]:
    opened = await open_store(*store_location)
    yield opened
    await opened.close()
