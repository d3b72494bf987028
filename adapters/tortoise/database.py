"""The database of the service: SQLite (default, a file in the data dir) or PostgreSQL.

Tortoise serves as the connection pool and transaction layer only: every
statement is SQL of :mod:`adapters.tortoise.repositories` (columns from
:mod:`adapters.tortoise.mapping`), no model is registered. Several
``TortoiseDatabase`` objects may be open in one process (``vod serve`` and
``vod worker`` over one file in a test): each has its own Tortoise context
and connection name, and activates its context only around its own work
(:func:`adapters.tortoise.overrides.activate`).
"""

from __future__ import annotations

import itertools
import logging
import os
import warnings
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.context import TortoiseContext

from adapters.tortoise import migrator
from adapters.tortoise.overrides import activated
from adapters.tortoise.sqlite_engine import BUSY_TIMEOUT_MS
from adapters.tortoise.sqlite_reader import SqliteReadClient
from adapters.tortoise.unit_of_work import TortoiseReadUnitOfWork, TortoiseUnitOfWork
from vod_core.ports.unit_of_work import ReadUnitOfWork, UnitOfWork

SQLITE_FILE = "vod.sqlite3"
APP = "vod"
NO_MODELS = __name__
"""Tortoise's config wants an app with a models module; this one defines no model."""
_names = itertools.count(1)
log = logging.getLogger(__name__)


def sqlite_url(data_dir: str) -> str:
    return f"sqlite://{os.path.join(os.path.abspath(data_dir), SQLITE_FILE)}"


def private_file(path: str) -> None:
    """Make the database file (and its directory, when missing) readable by its owner only.

    It holds webhook secrets and share passwords. SQLite gives its ``-wal``
    and ``-shm`` files the mode of the database file.
    """
    if path == ":memory:":
        return
    os.makedirs(os.path.dirname(path) or ".", mode=0o700, exist_ok=True)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    os.chmod(path, 0o600)  # an older file, created before this rule


def connection_config(url: str) -> dict[str, Any]:
    """Tortoise's connection config for ``url``; SQLite gets BEGIN IMMEDIATE and a busy timeout."""
    config: dict[str, Any] = expand_db_url(url)
    if config["engine"] == "tortoise.backends.sqlite":
        config["engine"] = "adapters.tortoise.sqlite_engine"
        config["credentials"].setdefault("busy_timeout", BUSY_TIMEOUT_MS)
        config["credentials"].setdefault("synchronous", "NORMAL")  # WAL: durable at checkpoints, much faster
    elif config["engine"] == "tortoise.backends.asyncpg":
        config["credentials"].setdefault("reset", keep_session)
    return config


async def keep_session(connection: Any) -> None:
    """asyncpg's pool reset, minus the round trip: nothing of a session outlives its statement here.

    On every release the pool rolls back an open transaction (that part
    always runs, before this hook) and then, by default, sends ``SELECT
    pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`` -- one more
    round trip per statement outside a transaction, i.e. per read. This
    service sets no session state: its advisory lock is transaction-scoped
    (``pg_advisory_xact_lock``), it declares no cursors outside
    transactions, listens to nothing and never runs ``SET`` (the schema
    comes from ``server_settings``, which survive a ``RESET ALL`` anyway).
    """
    return None


class TortoiseDatabase:
    def __init__(self, url: str) -> None:
        self.url = url
        self.connection_name = f"vod_db_{next(_names)}"
        self._config = connection_config(url)
        self._context = TortoiseContext()
        self._reader: BaseDBAsyncClient | None = None

    @property
    def dialect(self) -> str:
        return self.client.capabilities.dialect

    @property
    def client(self) -> BaseDBAsyncClient:
        """The connection (pool) itself, outside any transaction."""
        return self._context.connections.get(self.connection_name)

    async def connect(self, migrate: bool = True) -> None:
        """Open the connection and, unless told not to, bring the schema up to date."""
        if self._config["engine"] == "adapters.tortoise.sqlite_engine":
            private_file(self._config["credentials"]["file_path"])
        with activated(self._context), warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Module .* has no models", RuntimeWarning)
            await self._context.init(
                config={
                    "connections": {self.connection_name: self._config},
                    "apps": {APP: {"models": [NO_MODELS], "default_connection": self.connection_name}},
                }
            )
            await self.client.create_connection(with_db=True)
        if migrate:
            await self.migrate()
        await self._open_reader()

    async def _open_reader(self) -> None:
        """What read units of work read on (see :meth:`read_unit_of_work`).

        On SQLite: read-only connections of their own, opened after the
        writer's, which has put the file in WAL mode already (Tortoise's
        default pragma; persistent in the file, so ``vod serve`` and ``vod
        worker`` on one file both read without blocking each other). Without
        WAL, reads would still see committed data only, but wait for writers.
        """
        if self._config["engine"] != "adapters.tortoise.sqlite_engine":
            self._reader = self.client
            return
        if self._config["credentials"]["file_path"] == ":memory:":
            return  # no second connection can see it: read units of work are plain units of work there
        reader = SqliteReadClient(
            self._config["credentials"]["file_path"],
            self.connection_name,
            int(self._config["credentials"]["busy_timeout"]),
        )
        await reader.create_connection(with_db=True)
        if not await reader.check_wal():
            log.warning("%s is not in WAL mode: reads will wait for writes", self.url)
        self._reader = reader

    async def migrate(self, target: int | None = None) -> list[str]:
        """Apply pending migrations (up to ``target``); returns the names applied now."""
        with activated(self._context):
            return await migrator.migrate(self.connection_name, self.dialect, target)

    async def close(self) -> None:
        if isinstance(self._reader, SqliteReadClient):
            await self._reader.close()
        self._reader = None
        with activated(self._context):
            await self._context.close_connections()

    def unit_of_work(self) -> UnitOfWork:
        return TortoiseUnitOfWork(self._context, self.connection_name)

    def read_unit_of_work(self) -> ReadUnitOfWork:
        """A unit of work for use cases that only read: committed data, no write lock, no commit.

        See :class:`~adapters.tortoise.unit_of_work.TortoiseReadUnitOfWork`
        for what it reads on and why no transaction is opened. A SQLite
        ``:memory:`` database (no second connection can see it) gets a plain
        unit of work.
        """
        if self._reader is None:
            return self.unit_of_work()
        return TortoiseReadUnitOfWork(self._context, self.connection_name, self._reader)
