"""Every table but traffic: users and keys, settings, stored files, videos, play sets, the event outbox.

No foreign keys: the in-memory adapter has none either, and which rows may
refer to which is decided by the use cases. The indexes follow what the API
does (see each one's comment); the two partial unique indexes are the
uniqueness rules of the domain, so concurrent requests are decided here.
"""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

VERSION = 1
NAME = "core"

_TYPES = {
    "postgres": {"ts": "TIMESTAMPTZ", "bool": "BOOLEAN", "float": "DOUBLE PRECISION"},
    "sqlite": {"ts": "TEXT", "bool": "INTEGER", "float": "REAL"},
}

_STATEMENTS = [
    """CREATE TABLE vod_user (
        id VARCHAR(32) PRIMARY KEY,
        name VARCHAR(255) NOT NULL,
        created_at {ts} NOT NULL
    )""",
    "CREATE UNIQUE INDEX uq_user_name ON vod_user (name)",
    """CREATE TABLE api_key (
        key_hash VARCHAR(64) PRIMARY KEY,
        user_id VARCHAR(32) NOT NULL,
        created_at {ts} NOT NULL
    )""",
    """CREATE TABLE user_settings (
        user_id VARCHAR(32) PRIMARY KEY,
        webhook_secret VARCHAR(255) NOT NULL,
        auto_trans_template_ids TEXT NOT NULL,
        callbacks TEXT NOT NULL
    )""",
    """CREATE TABLE stored_file (
        id VARCHAR(32) PRIMARY KEY,
        user_id VARCHAR(32) NOT NULL,
        filename VARCHAR(255) NOT NULL,
        size BIGINT NOT NULL,
        content_type VARCHAR(255) NOT NULL,
        created_at {ts} NOT NULL,
        video_id VARCHAR(32) NOT NULL DEFAULT '',
        deleted {bool} NOT NULL
    )""",
    # A video's files (delete, size sum).
    "CREATE INDEX ix_stored_file_video ON stored_file (video_id)",
    """CREATE TABLE video (
        id VARCHAR(32) PRIMARY KEY,
        user_id VARCHAR(32) NOT NULL,
        storage_id VARCHAR(32) NOT NULL,
        video_name VARCHAR(255) NOT NULL,
        created_at {ts} NOT NULL,
        updated_at {ts} NOT NULL,
        source_type VARCHAR(255) NOT NULL,
        source_id VARCHAR(255) NOT NULL,
        status SMALLINT NOT NULL,
        thumb_storage_id VARCHAR(32) NOT NULL,
        file_size BIGINT NOT NULL,
        video_width INTEGER NOT NULL,
        video_height INTEGER NOT NULL,
        video_duration BIGINT NOT NULL,
        shared_state SMALLINT NOT NULL,
        share_password VARCHAR(255) NOT NULL,
        skip_auto_trans {bool} NOT NULL,
        failure_reason TEXT NOT NULL
    )""",
    # A user's videos newest first (list, search, traffic totals); search by id is the primary key.
    # ``status`` makes it covering: counting and skipping to a deep page never read the table.
    "CREATE INDEX ix_video_user_created ON video (user_id, created_at DESC, id DESC, status)",
    # One live video per (user, storage id): 3106 under concurrency.
    "CREATE UNIQUE INDEX uq_video_live_storage ON video (user_id, storage_id) WHERE status <> 4",
    # Recovery after a restart scans only unfinished videos.
    "CREATE INDEX ix_video_unfinished ON video (status) WHERE status IN (0, 2)",
    """CREATE TABLE play_set (
        id VARCHAR(32) PRIMARY KEY,
        video_id VARCHAR(32) NOT NULL,
        user_id VARCHAR(32) NOT NULL,
        template_id INTEGER NOT NULL,
        resolution VARCHAR(255) NOT NULL,
        created_at {ts} NOT NULL,
        updated_at {ts} NOT NULL,
        status SMALLINT NOT NULL,
        trans_progress {float} NOT NULL,
        storage_id VARCHAR(32) NOT NULL,
        file_size BIGINT NOT NULL,
        video_width INTEGER NOT NULL,
        video_height INTEGER NOT NULL,
        video_duration BIGINT NOT NULL,
        failure_reason TEXT NOT NULL
    )""",
    # The play sets of a page of videos, oldest first.
    "CREATE INDEX ix_play_set_video ON play_set (video_id, created_at)",
    # One live play set per (video, template): 3105 under concurrency.
    "CREATE UNIQUE INDEX uq_play_set_live_template ON play_set (video_id, template_id) WHERE status <> 7",
    "CREATE INDEX ix_play_set_unfinished ON play_set (status) WHERE status IN (0, 2, 3, 5)",
    """CREATE TABLE outbox_event (
        id VARCHAR(32) PRIMARY KEY,
        user_id VARCHAR(32) NOT NULL,
        event_type VARCHAR(64) NOT NULL,
        payload TEXT NOT NULL,
        created_at {ts} NOT NULL,
        next_attempt_at {ts} NOT NULL,
        state SMALLINT NOT NULL,
        attempts INTEGER NOT NULL,
        last_error TEXT NOT NULL,
        delivered_at {ts}
    )""",
    # The dispatcher's poll: pending events that are due.
    "CREATE INDEX ix_outbox_due ON outbox_event (next_attempt_at) WHERE state = 0",
    "CREATE INDEX ix_outbox_dead ON outbox_event (user_id, created_at) WHERE state = 2",
]


async def apply(connection: BaseDBAsyncClient, dialect: str) -> None:
    for statement in _STATEMENTS:
        await connection.execute_query(statement.format(**_TYPES[dialect]))
