"""Reads on SQLite without the write lock: separate read-only connections, cheap ones first.

The unit of work's connection (:mod:`adapters.tortoise.sqlite_engine`) is one
aiosqlite connection behind an asyncio lock, in ``BEGIN IMMEDIATE``
transactions. A read there would wait for every other task's write
transaction, take the file's write lock itself, and pay four thread
hand-offs (commit, begin, query, rollback) for one ``SELECT``. Reading on
that connection *without* its lock would be worse: it would see the rows
another task's open transaction has written but not committed.

:class:`SqliteReadClient` reads on connections of its own instead. The file
is in WAL journal mode (Tortoise sets ``journal_mode=WAL`` on the writer's
connection, persistently, before any migration runs; :meth:`check_wal`
verifies it), so a reader sees the last committed state, never waits for the
writer and never makes it wait. Each statement runs in autocommit, i.e. in
its own read snapshot: a read unit of work is consistent per statement, not
across statements (as on PostgreSQL at READ COMMITTED without a transaction).

Where a statement runs:

- **Inline**, on a ``sqlite3`` connection owned by the event loop's thread,
  with a progress handler that interrupts it after ``INLINE_BUDGET`` virtual
  machine steps (well under a millisecond) and a zero busy timeout. Lookups
  by key and short pages finish inside that budget; a thread hand-off alone
  would cost more than the whole query.
- **On a thread** of a small pool (``READ_THREADS`` connections, so slow
  reads run in parallel, the GIL being released while SQLite works) when the
  inline attempt was interrupted or met a lock (``SQLITE_BUSY`` while the WAL
  is being reset): deep pages, substring searches, traffic series. The event
  loop is never blocked for longer than the inline budget.

Both kinds of connection are ``PRAGMA query_only``: a write through a read
unit of work fails instead of committing.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tortoise.backends.base.client import ConnectionWrapper
from tortoise.backends.sqlite.client import SqliteClient, translate_exceptions

INLINE_BUDGET = 20_000
"""SQLite VM steps an inline statement may take (about 0.1–0.5 ms) before it is moved to a thread; 0: never inline."""
_CHECK_EVERY = 1_000
READ_THREADS = 4


class ReadOnlyUnitOfWork(sqlite3.OperationalError):
    """A write was attempted through a read unit of work."""


class _Budget:
    """The progress handler of the inline connection: interrupts after ``INLINE_BUDGET`` steps."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> int:
        self.calls += 1
        return 1 if self.calls * _CHECK_EVERY > INLINE_BUDGET else 0


class SqliteReadClient(SqliteClient):
    """Tortoise's SQLite client for read-only statements, so ORM querysets run on it unchanged.

    It has the writer's ``connection_name`` but is not registered in the
    Tortoise context, so no transaction can be opened on it.
    """

    def __init__(self, file_path: str, connection_name: str, busy_timeout_ms: int) -> None:
        super().__init__(file_path, connection_name=connection_name)
        self._busy_timeout_ms = busy_timeout_ms
        self._inline: sqlite3.Connection | None = None
        self._budget = _Budget()
        self._threads: ThreadPoolExecutor | None = None
        self._local = threading.local()
        self._thread_connections: list[sqlite3.Connection] = []
        self._opened = threading.Lock()

    def _open(self, busy_timeout_ms: int, same_thread: bool) -> sqlite3.Connection:
        connection = sqlite3.connect(self.filename, isolation_level=None, check_same_thread=same_thread)
        connection.row_factory = sqlite3.Row
        connection.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        connection.execute("PRAGMA query_only = ON")
        return connection

    async def create_connection(self, with_db: bool) -> None:
        if self._inline is None:
            self._inline = self._open(0, same_thread=True)
            self._inline.set_progress_handler(self._budget, _CHECK_EVERY)
            self._threads = ThreadPoolExecutor(READ_THREADS, thread_name_prefix=f"{self.connection_name}-read")

    async def check_wal(self) -> bool:
        """True when the file is in WAL mode (readers and the writer never wait for each other)."""
        rows = await self._fetch("PRAGMA journal_mode", [])
        return str(rows[0][0]).lower() == "wal"

    async def close(self) -> None:
        if self._threads is not None:
            self._threads.shutdown(wait=True)
            self._threads = None
        for connection in self._thread_connections:
            connection.close()
        self._thread_connections.clear()
        if self._inline is not None:
            self._inline.close()
            self._inline = None

    def _thread_connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._open(self._busy_timeout_ms, same_thread=False)
            self._local.connection = connection
            with self._opened:
                self._thread_connections.append(connection)
        return connection

    def _run_in_thread(self, sql: str, values: Sequence[Any]) -> list[sqlite3.Row]:
        return self._thread_connection().execute(sql, values).fetchall()

    async def _fetch(self, sql: str, values: Sequence[Any] | None) -> list[sqlite3.Row]:
        params = values or ()
        if self._inline is None or self._threads is None:
            await self.create_connection(with_db=True)
        assert self._inline is not None and self._threads is not None
        if INLINE_BUDGET > 0:
            self._budget.calls = 0
            try:
                return self._inline.execute(sql, params).fetchall()
            except sqlite3.OperationalError:
                # Interrupted (over budget) or busy: again on a thread, where it may take its time.
                # Anything else (a syntax error, a write on a query_only connection) fails there too.
                pass
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._threads, self._run_in_thread, sql, params)

    @translate_exceptions
    async def execute_query(self, query: str, values: list[Any] | None = None) -> tuple[int, Sequence[Any]]:
        rows = await self._fetch(query, values)
        return len(rows), rows

    @translate_exceptions
    async def execute_query_dict(self, query: str, values: list[Any] | None = None) -> list[dict[str, Any]]:
        return [dict(row) for row in await self._fetch(query, values)]

    async def execute_insert(self, query: str, values: list[Any]) -> int:
        raise ReadOnlyUnitOfWork("a read unit of work cannot insert")

    async def execute_many(self, query: str, values: list[list[Any]]) -> None:
        raise ReadOnlyUnitOfWork("a read unit of work cannot write")

    async def execute_script(self, query: str) -> None:
        raise ReadOnlyUnitOfWork("a read unit of work cannot write")

    def acquire_connection(self) -> ConnectionWrapper[Any]:
        raise ReadOnlyUnitOfWork("a read unit of work has no connection to hand out")
