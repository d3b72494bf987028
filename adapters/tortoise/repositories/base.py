from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient

from adapters.tortoise.mapping import Table
from adapters.tortoise.sql import execute, fetch

T = TypeVar("T")


class TortoiseRepository:
    """Holds the transaction's connection; reads and writes whole rows of a :class:`Table`."""

    def __init__(self, connection: BaseDBAsyncClient) -> None:
        self._db = connection

    async def _insert(self, table: Table[T], entity: T) -> None:
        await execute(self._db, *table.insert(entity))

    async def _update(self, table: Table[T], entity: T) -> int:
        return await execute(self._db, *table.update(entity))

    async def _select(self, table: Table[T], where: str, params: Sequence[Any] = (), tail: str = "") -> list[T]:
        """``SELECT`` the rows of ``table`` matching ``where`` (``tail``: ORDER BY / LIMIT)."""
        rows = await fetch(self._db, f"SELECT {table.select} FROM {table.name} WHERE {where} {tail}", params)
        return [table.load(row) for row in rows]

    async def _select_one(self, table: Table[T], where: str, params: Sequence[Any]) -> T | None:
        found = await self._select(table, where, params, "LIMIT 1")
        return found[0] if found else None
