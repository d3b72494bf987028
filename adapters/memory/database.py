"""The in-memory database: committed tables plus the unit of work over them."""

from __future__ import annotations

import asyncio
import copy
from typing import Any


class MemoryDatabase:
    """Named tables of copied entities. One transaction at a time (a lock), like SERIALIZABLE."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[Any, Any]] = {}
        self.lock = asyncio.Lock()


class Transaction:
    """Reads see committed tables plus this transaction's writes; commit swaps them in.

    A table is copied (shallowly) on its first write, so an abandoned
    transaction leaves the committed tables untouched.
    """

    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db
        self._written: dict[str, dict[Any, Any]] = {}

    def read(self, table: str) -> dict[Any, Any]:
        if table in self._written:
            return self._written[table]
        return self._db.tables.get(table, {})  # reading a table never creates it: only a commit changes the tables

    def write(self, table: str) -> dict[Any, Any]:
        if table not in self._written:
            self._written[table] = dict(self._db.tables.get(table, {}))
        return self._written[table]

    def get(self, table: str, key: Any) -> Any:
        return copy.deepcopy(self.read(table).get(key))

    def put(self, table: str, key: Any, value: Any) -> None:
        self.write(table)[key] = copy.deepcopy(value)

    def commit(self) -> None:
        self._db.tables.update(self._written)
        self._written = {}
