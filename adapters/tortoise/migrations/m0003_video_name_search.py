"""PostgreSQL: a trigram index for the case-insensitive name substring search.

``LIKE '%term%'`` can use no B-tree, so without this every search (and its
count) reads all of the user's videos. The index is on the very expression
the repository filters by (Tortoise's ``icontains``:
``UPPER(CAST(video_name AS VARCHAR))``). ``pg_trgm`` ships with PostgreSQL
and is a trusted extension (13+): the database owner may create it. SQLite
has no such index type; there the search stays a scan of the user's rows.
(m0005 moves the search, and this index, to a folded copy of the name.)
"""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

VERSION = 3
NAME = "video_name_search"


async def apply(connection: BaseDBAsyncClient, dialect: str) -> None:
    if dialect != "postgres":
        return
    await connection.execute_query("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # The extension may live in a schema outside our search path (installed once per database).
    _, rows = await connection.execute_query(
        "SELECT quote_ident(n.nspname) FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
        " WHERE e.extname = 'pg_trgm'"
    )
    schema = rows[0][0]
    await connection.execute_query(
        f"CREATE INDEX ix_video_name_trgm ON video USING gin (UPPER(CAST(video_name AS VARCHAR)) {schema}.gin_trgm_ops)"
    )
