"""The versioned migration runner: applies pending ``migrations/mNNNN_*.py`` steps in order.

Each step runs in its own transaction with its ``schema_migration`` row, so a
failed step leaves the previous version intact. The transaction first takes
a lock (PostgreSQL advisory lock; SQLite's write lock via ``BEGIN
IMMEDIATE``), so two processes starting at once apply every step once.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from adapters.tortoise import migrations
from adapters.tortoise.sql import fetch

_STEP_MODULE = re.compile(r"^m(\d{4})_\w+$")
_LOCK_KEY = 0x766F64  # "vod": any constant shared by every process of this service

_TS = {"postgres": "TIMESTAMPTZ", "sqlite": "TEXT"}


@dataclass(frozen=True)
class Step:
    version: int
    module: str
    apply: Callable[[BaseDBAsyncClient, str], Awaitable[None]]


def steps() -> list[Step]:
    """Every migration step in the package, in VERSION order."""
    found = []
    for info in pkgutil.iter_modules(migrations.__path__):
        if _STEP_MODULE.match(info.name):
            module = importlib.import_module(f"{migrations.__name__}.{info.name}")
            found.append(Step(module.VERSION, info.name, module.apply))
    found.sort(key=lambda step: step.version)
    versions = [step.version for step in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"duplicate migration versions: {versions}")
    return found


async def _lock(connection: BaseDBAsyncClient, dialect: str) -> None:
    if dialect == "postgres":
        await fetch(connection, "SELECT pg_advisory_xact_lock(?)", [_LOCK_KEY])
    await connection.execute_query(
        "CREATE TABLE IF NOT EXISTS schema_migration ("
        f"version INTEGER PRIMARY KEY, name VARCHAR(255) NOT NULL, applied_at {_TS[dialect]} NOT NULL)"
    )


async def applied_versions(connection: BaseDBAsyncClient) -> set[int]:
    rows = await fetch(connection, "SELECT version FROM schema_migration")
    return {int(row[0]) for row in rows}


async def migrate(connection_name: str, dialect: str, target: int | None = None) -> list[str]:
    """Apply pending steps up to ``target`` (default: all); returns the modules applied now.

    Needs the database's Tortoise context to be active (``in_transaction`` looks it up).
    """
    applied_now = []
    for step in steps():
        if target is not None and step.version > target:
            break
        async with in_transaction(connection_name) as connection:
            await _lock(connection, dialect)
            if step.version in await applied_versions(connection):
                continue
            await step.apply(connection, dialect)
            await fetch(
                connection,
                "INSERT INTO schema_migration (version, name, applied_at) VALUES (?, ?, ?)",
                [step.version, step.module, datetime.now(UTC)],
            )
        applied_now.append(step.module)
    return applied_now
