"""Raw SQL next to the ORM: one placeholder style (``?``) in the source, the driver's at run time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient


def native(sql: str, dialect: str) -> str:
    """``?`` placeholders as the dialect wants them (``$1, $2, ...`` for PostgreSQL)."""
    if dialect != "postgres":
        return sql
    parts = sql.split("?")
    return parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], start=1))


async def fetch(connection: BaseDBAsyncClient, sql: str, params: Sequence[Any] = ()) -> Sequence[Any]:
    _, rows = await connection.execute_query(native(sql, connection.capabilities.dialect), list(params))
    return rows


def in_list(connection: BaseDBAsyncClient, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
    """``column IN (...)`` and its parameters; one array parameter on PostgreSQL (one prepared statement)."""
    if connection.capabilities.dialect == "postgres":
        return f"{column} = ANY(?)", [list(values)]
    return f"{column} IN ({', '.join('?' * len(values))})", list(values)
