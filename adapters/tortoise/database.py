"""The database of the service: SQLite (default, a file in the data dir) or PostgreSQL.

Several ``TortoiseDatabase`` objects may be open in one process: each has its
own Tortoise context, connection name and model classes (see
:mod:`adapters.tortoise.models`), and activates its context only around its
own work.
"""

from __future__ import annotations

import itertools
import os
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.context import TortoiseContext

from adapters.tortoise import migrator
from adapters.tortoise.context import activated
from adapters.tortoise.models import define_models, forget_models, models_module
from adapters.tortoise.sqlite_engine import BUSY_TIMEOUT_MS
from adapters.tortoise.unit_of_work import TortoiseUnitOfWork
from vod_core.ports.unit_of_work import UnitOfWork

SQLITE_FILE = "vod.sqlite3"
APP = "vod"
_names = itertools.count(1)


def sqlite_url(data_dir: str) -> str:
    return f"sqlite://{os.path.join(os.path.abspath(data_dir), SQLITE_FILE)}"


def connection_config(url: str) -> dict[str, Any]:
    """Tortoise's connection config for ``url``; SQLite gets BEGIN IMMEDIATE and a busy timeout."""
    config: dict[str, Any] = expand_db_url(url)
    if config["engine"] == "tortoise.backends.sqlite":
        config["engine"] = "adapters.tortoise.sqlite_engine"
        config["credentials"].setdefault("busy_timeout", BUSY_TIMEOUT_MS)
        config["credentials"].setdefault("synchronous", "NORMAL")  # WAL: durable at checkpoints, much faster
    return config


class TortoiseDatabase:
    def __init__(self, url: str) -> None:
        self.url = url
        self.connection_name = f"vod_db_{next(_names)}"
        self._config = connection_config(url)
        self._context = TortoiseContext()

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
            os.makedirs(os.path.dirname(self._config["credentials"]["file_path"]) or ".", exist_ok=True)
        define_models(self.connection_name)
        with activated(self._context):
            await self._context.init(
                config={
                    "connections": {self.connection_name: self._config},
                    "apps": {
                        APP: {
                            "models": [models_module(self.connection_name)],
                            "default_connection": self.connection_name,
                        }
                    },
                    "use_tz": True,
                    "timezone": "UTC",
                }
            )
            await self.client.create_connection(with_db=True)
        if migrate:
            await self.migrate()

    async def migrate(self, target: int | None = None) -> list[str]:
        """Apply pending migrations (up to ``target``); returns the names applied now."""
        with activated(self._context):
            return await migrator.migrate(self.connection_name, self.dialect, target)

    async def close(self) -> None:
        with activated(self._context):
            await self._context.close_connections()
        forget_models(self.connection_name)

    def unit_of_work(self) -> UnitOfWork:
        return TortoiseUnitOfWork(self._context, self.connection_name)
