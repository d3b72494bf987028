"""Raw SQL next to the driver: one placeholder style (``?``) in the source, the driver's at run time.

On PostgreSQL each ``?`` placeholder becomes ``$1, $2, ...``. Only
placeholders are rewritten: a ``?`` inside a string literal (``'...'``,
``E'...'``, ``$tag$...$tag$``), a quoted identifier or a comment is left
alone. PostgreSQL's own ``?`` operators (jsonb ``?``, ``?|``, ``?&``) are
written ``??``, ``??|``, ``??&`` in the source. SQLite takes ``?`` natively.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from vod_core.search import fold_name

_TOKEN = re.compile(
    r"""
      (?<![A-Za-z0-9_])[Ee]'(?:[^'\\]|\\.|'')*'      # escape string: backslashes escape, '' too
    | '(?:[^']|'')*'                # string literal
    | "(?:[^"]|"")*"                # quoted identifier
    | --[^\n]*                      # line comment
    | /\*.*?\*/                     # block comment
    | (\$[A-Za-z_][A-Za-z_0-9]*\$|\$\$).*?\1  # dollar-quoted string
    | \?\?                          # a literal ? operator
    | \?                            # a placeholder
    """,
    re.DOTALL | re.VERBOSE,
)


def native(sql: str, dialect: str) -> str:
    """``?`` placeholders as the dialect wants them (``$1, $2, ...`` for PostgreSQL)."""
    if dialect != "postgres":
        return sql
    numbers = iter(range(1, sql.count("?") + 1))

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "?":
            return f"${next(numbers)}"
        return "?" if token == "??" else token

    return _TOKEN.sub(replace, sql)


async def fetch(connection: BaseDBAsyncClient, sql: str, params: Sequence[Any] = ()) -> Sequence[Any]:
    """Rows that can be read by column name (asyncpg ``Record``, ``sqlite3.Row``) or by position."""
    _, rows = await connection.execute_query(native(sql, connection.capabilities.dialect), list(params))
    return rows


async def execute(connection: BaseDBAsyncClient, sql: str, params: Sequence[Any] = ()) -> int:
    """Run a statement; returns the number of rows it changed."""
    count, _ = await connection.execute_query(native(sql, connection.capabilities.dialect), list(params))
    return count


def in_list(connection: BaseDBAsyncClient, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
    """``column IN (...)`` and its parameters; one array parameter on PostgreSQL (one prepared statement)."""
    if connection.capabilities.dialect == "postgres":
        return f"{column} = ANY(?)", [list(values)]
    return f"{column} IN ({', '.join('?' * len(values))})", list(values)


def escape_like(text: str) -> str:
    """``text`` matched literally by ``LIKE ... ESCAPE '\\'``."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def name_match(search: str, alias: str = "") -> tuple[str, list[Any]]:
    """The contract's search over ``video``: the exact id, or the folded needle in ``video_name_folded``.

    Both sides are folded by :func:`vod_core.search.fold_name` (the column by
    the adapter when the row is written), so the database compares plain
    code points and every store agrees with the in-memory one.
    """
    prefix = f"{alias}." if alias else ""
    sql = f"({prefix}id = ? OR {prefix}video_name_folded LIKE ? ESCAPE '\\')"
    return sql, [search, f"%{escape_like(fold_name(search))}%"]
