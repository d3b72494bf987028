"""API key management and the share-password guess throttle.

- ``vod_user.disabled``: a disabled user's keys are refused (``vod user disable``).
- ``ix_api_key_user``: a user's keys are counted (``vod user list``) and
  removed (``vod user rotate-key``) by user.
- ``password_guess``: wrong share-password guesses per (client, video), so
  every process throttles alike and a restart forgets nothing; its
  ``last_failure_at`` index serves the periodic removal of old records.
"""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

VERSION = 7
NAME = "share_guesses_and_keys"

_TYPES = {
    "postgres": {"ts": "TIMESTAMPTZ", "bool": "BOOLEAN", "false": "FALSE"},
    "sqlite": {"ts": "TEXT", "bool": "INTEGER", "false": "0"},
}

_STATEMENTS = [
    "ALTER TABLE vod_user ADD COLUMN disabled {bool} NOT NULL DEFAULT {false}",
    "CREATE INDEX ix_api_key_user ON api_key (user_id)",
    """CREATE TABLE password_guess (
        client VARCHAR(64) NOT NULL,
        video_id VARCHAR(32) NOT NULL,
        failures INTEGER NOT NULL,
        last_failure_at {ts} NOT NULL,
        next_allowed_at {ts} NOT NULL,
        PRIMARY KEY (client, video_id)
    )""",
    "CREATE INDEX ix_password_guess_last_failure ON password_guess (last_failure_at)",
]


async def apply(connection: BaseDBAsyncClient, dialect: str) -> None:
    for statement in _STATEMENTS:
        await connection.execute_query(statement.format(**_TYPES[dialect]))
