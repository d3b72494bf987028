"""Tortoise's SQLite backend with ``BEGIN IMMEDIATE`` transactions.

Within one process Tortoise already serializes SQLite transactions (one
connection behind an asyncio lock). Across processes (``vod serve`` and
``vod worker`` on one file) a plain deferred ``BEGIN`` is not enough: a
transaction that read first and writes second fails at once with
"database is locked" when another process committed in between, and no busy
timeout helps (the snapshot is stale). ``BEGIN IMMEDIATE`` takes the write
lock up front, so a second writer waits (``busy_timeout``) instead of failing.
Use cases that only read do not come here: they open read units of work,
served by :mod:`adapters.tortoise.sqlite_reader` without the write lock.
"""

from __future__ import annotations

import sqlite3

from tortoise.backends.base.client import TransactionContext
from tortoise.backends.sqlite.client import SqliteClient, SqliteTransactionContext, SqliteTransactionWrapper
from tortoise.exceptions import TransactionManagementError

BUSY_TIMEOUT_MS = 10_000


class _ImmediateTransaction(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise TransactionManagementError(exc) from exc


class ImmediateSqliteClient(SqliteClient):
    def _in_transaction(self) -> TransactionContext:
        return SqliteTransactionContext(_ImmediateTransaction(self), self._lock)


client_class = ImmediateSqliteClient
