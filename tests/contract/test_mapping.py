"""The column lists derived from the dataclasses match the tables the migrations make."""

from __future__ import annotations

import pytest

from adapters.tortoise import TortoiseDatabase
from adapters.tortoise.mapping import API_KEYS, FILES, OUTBOX, PLAY_SETS, SETTINGS, USERS, VIDEOS, Table
from adapters.tortoise.sql import fetch

TABLES: list[Table[object]] = [VIDEOS, PLAY_SETS, FILES, USERS, API_KEYS, SETTINGS, OUTBOX]  # type: ignore[list-item]


async def columns_of(database: TortoiseDatabase, table: str) -> set[str]:
    if database.dialect == "postgres":
        sql = (
            "SELECT column_name AS name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = ?"
        )
        rows = await fetch(database.client, sql, [table])
    else:
        rows = await fetch(database.client, f"SELECT name FROM pragma_table_info('{table}')")
    return {row["name"] for row in rows}


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.name)
async def test_every_table_has_exactly_the_columns_of_its_dataclass(
    tortoise_db: TortoiseDatabase, table: Table[object]
) -> None:
    assert await columns_of(tortoise_db, table.name) == set(table.columns)
