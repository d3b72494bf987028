"""Console sessions (``vod_core.sessions.ConsoleSession``), shared by every ``vod serve`` process.

``ix_console_session_user`` serves ending a user's sessions (key rotation,
``vod user disable``), ``ix_console_session_expires`` removing expired ones.
"""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

VERSION = 11
NAME = "console_sessions"

_TYPES = {"postgres": {"ts": "TIMESTAMPTZ"}, "sqlite": {"ts": "TEXT"}}

_STATEMENTS = [
    """CREATE TABLE console_session (
        token_hash VARCHAR(64) PRIMARY KEY,
        user_id VARCHAR(32) NOT NULL,
        csrf_token VARCHAR(64) NOT NULL,
        created_at {ts} NOT NULL,
        expires_at {ts} NOT NULL
    )""",
    "CREATE INDEX ix_console_session_user ON console_session (user_id)",
    "CREATE INDEX ix_console_session_expires ON console_session (expires_at)",
]


async def apply(connection: BaseDBAsyncClient, dialect: str) -> None:
    for statement in _STATEMENTS:
        await connection.execute_query(statement.format(**_TYPES[dialect]))
