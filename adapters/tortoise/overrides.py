"""Every place this service reaches into Tortoise's internals, and why.

Tortoise is pinned below its next minor version (``pyproject.toml``) because
of what is here; ``tests/contract/test_tortoise_overrides.py`` has a test per
override that fails when the internal it relies on changes. Nothing else in
the code base may use a private name of Tortoise.

1. :func:`activate` / :func:`deactivate` set Tortoise's current-context
   variable directly.
2. :class:`ImmediateSqliteClient` opens SQLite transactions with ``BEGIN
   IMMEDIATE`` by overriding the client's transaction factory and the
   wrapper's ``begin``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import Token

from tortoise.backends.base.client import TransactionContext
from tortoise.backends.sqlite.client import SqliteClient, SqliteTransactionContext, SqliteTransactionWrapper
from tortoise.context import TortoiseContext, _current_context
from tortoise.exceptions import TransactionManagementError

ActivationToken = Token[TortoiseContext | None]


def activate(context: TortoiseContext) -> ActivationToken:
    """Make ``context`` the current one for this task (until :func:`deactivate`).

    Each open :class:`~adapters.tortoise.database.TortoiseDatabase` owns a
    context (``vod serve`` and ``vod worker`` in one test process, a test
    opening a second database), and Tortoise finds a transaction's
    connection through the *current* context. The public way,
    ``with context:``, keeps its reset token on the shared context object,
    so two tasks overlapping on one database reset each other's token. The
    token stays with the caller here. Relies on
    ``tortoise.context._current_context`` being the ``ContextVar`` that
    ``get_current_context()`` reads.
    """
    return _current_context.set(context)


def deactivate(token: ActivationToken) -> None:
    _current_context.reset(token)


@contextmanager
def activated(context: TortoiseContext) -> Iterator[None]:
    token = activate(context)
    try:
        yield
    finally:
        deactivate(token)


class _ImmediateTransaction(SqliteTransactionWrapper):
    """``SqliteTransactionWrapper.begin`` with ``BEGIN IMMEDIATE`` (relies on its ``_connection``)."""

    async def begin(self) -> None:
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise TransactionManagementError(exc) from exc


class ImmediateSqliteClient(SqliteClient):
    """Tortoise's SQLite client whose transactions take the write lock up front.

    Within one process Tortoise already serialises SQLite transactions (one
    connection behind an asyncio lock). Across processes (``vod serve`` and
    ``vod worker`` on one file) a deferred ``BEGIN`` is not enough: a
    transaction that read first and writes second fails at once with
    "database is locked" when another process committed in between, and no
    busy timeout helps (its snapshot is stale). ``BEGIN IMMEDIATE`` makes a
    second writer wait (``busy_timeout``) instead. Tortoise has no option for
    it, so ``_in_transaction`` (the factory behind ``in_transaction``) is
    overridden, mirroring ``SqliteClient._in_transaction`` with the wrapper
    above; it relies on the client's ``_lock`` (one transaction at a time).
    """

    def _in_transaction(self) -> TransactionContext:
        return SqliteTransactionContext(_ImmediateTransaction(self), self._lock)
