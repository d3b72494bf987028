"""One test per override of Tortoise internals (:mod:`adapters.tortoise.overrides`).

Each fails when the internal it relies on changes, before a Tortoise
upgrade can break the service quietly.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from tortoise.context import TortoiseContext, get_current_context
from tortoise.transactions import in_transaction

from adapters.tortoise import TortoiseDatabase, sqlite_url
from adapters.tortoise.database import SQLITE_FILE
from adapters.tortoise.overrides import ImmediateSqliteClient, activate, activated, deactivate


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[TortoiseDatabase]:
    database = TortoiseDatabase(sqlite_url(str(tmp_path)))
    await database.connect()
    yield database
    await database.close()


def test_activate_sets_the_context_tortoise_reads_and_deactivate_restores_it() -> None:
    outer, inner = TortoiseContext(), TortoiseContext()
    with activated(outer):
        token = activate(inner)
        assert get_current_context() is inner
        deactivate(token)
        assert get_current_context() is outer


async def test_activation_stays_with_the_task_that_activated() -> None:
    """Two tasks overlapping on one context: each resets its own token (``with context:`` cannot)."""
    other = TortoiseContext()
    first_in, second_done = asyncio.Event(), asyncio.Event()

    async def first() -> TortoiseContext | None:
        with activated(other):
            first_in.set()
            await second_done.wait()
            return get_current_context()

    async def second() -> None:
        await first_in.wait()
        with activated(other):
            pass
        second_done.set()

    seen, _ = await asyncio.gather(first(), second())
    assert seen is other


async def test_in_transaction_finds_the_connection_through_the_activated_context(sqlite_db: TortoiseDatabase) -> None:
    # The unit of work activates the database's context for its block.
    async with sqlite_db.unit_of_work(), in_transaction(sqlite_db.connection_name) as connection:
        rows = await connection.execute_query("SELECT 1")
    assert list(rows[1][0]) == [1]


async def test_sqlite_transactions_take_the_write_lock_when_they_begin(
    sqlite_db: TortoiseDatabase, tmp_path: Path
) -> None:
    """A transaction that has not written yet already holds the lock (``BEGIN IMMEDIATE``)."""
    assert isinstance(sqlite_db.client, ImmediateSqliteClient)
    other = sqlite3.connect(os.path.join(tmp_path, SQLITE_FILE), timeout=0, isolation_level=None)
    try:
        async with sqlite_db.unit_of_work():
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # released with the unit of work
        other.execute("ROLLBACK")
    finally:
        other.close()
