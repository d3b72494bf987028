"""The stores every contract test runs against: in memory, SQLite (a temp file), PostgreSQL.

Each test gets an empty store: a new SQLite file, or a new PostgreSQL schema
in this run's database (``postgres_url``), migrated to the head version.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import pytest

from adapters.memory.database import MemoryDatabase
from adapters.memory.unit_of_work import MemoryReadUnitOfWork, MemoryUnitOfWork
from adapters.tortoise import TortoiseDatabase, sqlite_url
from vod_core.ports.unit_of_work import ReadUnitOfWork, UnitOfWork

UowFactory = Callable[[], UnitOfWork]
ReadUowFactory = Callable[[], ReadUnitOfWork]


async def new_schema(postgres_url: str) -> str:
    """A URL of ``postgres_url`` whose connections work in a new, empty schema."""
    schema = f"t_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(postgres_url)
    try:
        await admin.execute(f'CREATE SCHEMA "{schema}"')
    finally:
        await admin.close()
    return f"{postgres_url}?schema={schema}&maxsize=20"


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=["sqlite", "postgres"])
def sql_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _url(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a fresh database of that kind lives (PostgreSQL's fixture only when asked for)."""
    if kind == "sqlite":
        return sqlite_url(str(tmp_path / "data"))
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def backend_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return "" if backend == "memory" else _url(backend, request, tmp_path)


@pytest.fixture
def sql_backend_url(sql_backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return _url(sql_backend, request, tmp_path)


async def open_database(kind: str, url: str, migrate: bool = True) -> TortoiseDatabase:
    if kind == "postgres":
        url = await new_schema(url)
    database = TortoiseDatabase(url)
    await database.connect(migrate=migrate)
    return database


@pytest.fixture
async def tortoise_db(sql_backend: str, sql_backend_url: str) -> AsyncIterator[TortoiseDatabase]:
    database = await open_database(sql_backend, sql_backend_url)
    yield database
    await database.close()


@pytest.fixture
async def uow_factories(backend: str, backend_url: str) -> AsyncIterator[tuple[UowFactory, ReadUowFactory]]:
    """(units of work, read units of work) over one fresh store."""
    if backend == "memory":
        memory = MemoryDatabase()
        yield (lambda: MemoryUnitOfWork(memory)), (lambda: MemoryReadUnitOfWork(memory))
        return
    database = await open_database(backend, backend_url)
    yield database.unit_of_work, database.read_unit_of_work
    await database.close()


@pytest.fixture
def uow_factory(uow_factories: tuple[UowFactory, ReadUowFactory]) -> UowFactory:
    return uow_factories[0]


@pytest.fixture
def read_uow_factory(uow_factories: tuple[UowFactory, ReadUowFactory]) -> ReadUowFactory:
    return uow_factories[1]
