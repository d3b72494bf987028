"""Resumable (tus) uploads: one row per upload, its committed offset and the lease of the PATCH writing it.

``id`` is the storage id the finished upload becomes. The expiry index
serves the sweep of expired uploads.
"""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

VERSION = 9
NAME = "resumable_uploads"

_TYPES = {
    "postgres": {"ts": "TIMESTAMPTZ", "bool": "BOOLEAN"},
    "sqlite": {"ts": "TEXT", "bool": "INTEGER"},
}

_STATEMENTS = [
    """CREATE TABLE resumable_upload (
        id VARCHAR(32) PRIMARY KEY,
        user_id VARCHAR(32) NOT NULL,
        upload_length BIGINT NOT NULL,
        received BIGINT NOT NULL,
        filename VARCHAR(255) NOT NULL,
        metadata TEXT NOT NULL,
        created_at {ts} NOT NULL,
        expires_at {ts} NOT NULL,
        finished {bool} NOT NULL,
        lease VARCHAR(32) NOT NULL DEFAULT '',
        lease_until {ts}
    )""",
    "CREATE INDEX ix_resumable_upload_expires ON resumable_upload (expires_at)",
]


async def apply(connection: BaseDBAsyncClient, dialect: str) -> None:
    for statement in _STATEMENTS:
        await connection.execute_query(statement.format(**_TYPES[dialect]))
