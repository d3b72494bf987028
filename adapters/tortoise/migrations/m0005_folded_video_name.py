"""The name search on a folded copy of the name, so every store folds case alike.

Until now the search compared ``UPPER(video_name)``: ASCII-only on SQLite,
the server's locale on PostgreSQL, ``casefold`` in memory ("Été" found
different videos on each). ``video_name_folded`` holds
:func:`vod_core.search.fold_name` of the name, written by the adapter with
every row; the search compares it with the folded needle. Existing rows are
folded here, in Python, by the same function. On PostgreSQL m0003's trigram
index moves to the new column (``LIKE '%term%'`` uses it).
"""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from adapters.tortoise.sql import fetch, native
from vod_core.search import fold_name

VERSION = 5
NAME = "folded_video_name"
_BATCH = 1000


async def apply(connection: BaseDBAsyncClient, dialect: str) -> None:
    await connection.execute_query("ALTER TABLE video ADD COLUMN video_name_folded TEXT NOT NULL DEFAULT ''")
    rows = await fetch(connection, "SELECT id, video_name FROM video")
    update = native("UPDATE video SET video_name_folded = ? WHERE id = ?", dialect)
    folded = [[fold_name(row["video_name"]), row["id"]] for row in rows]
    for first in range(0, len(folded), _BATCH):
        await connection.execute_many(update, folded[first : first + _BATCH])
    if dialect != "postgres":
        return
    _, found = await connection.execute_query(
        "SELECT quote_ident(n.nspname) FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
        " WHERE e.extname = 'pg_trgm'"
    )
    schema = found[0][0]
    await connection.execute_query("DROP INDEX ix_video_name_trgm")
    await connection.execute_query(
        f"CREATE INDEX ix_video_name_folded_trgm ON video USING gin (video_name_folded {schema}.gin_trgm_ops)"
    )
