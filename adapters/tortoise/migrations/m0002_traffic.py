"""Traffic tables: per-(video, minute) buckets plus per-(user, day) and per-video rollups.

The rollups are kept in the same transaction as the buckets, so the daily
summary and the all-time totals read a few rows instead of summing minutes.
Days are stored as proleptic ordinals (``date.toordinal()``) of the service
zone's date, which both dialects compare as plain integers. No foreign keys:
videos are never removed (deletion is a status), and buckets are written far
more often than videos.
"""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

VERSION = 2
NAME = "traffic"

_TABLES = (
    """CREATE TABLE traffic_minute (
        video_id VARCHAR(64) NOT NULL,
        minute BIGINT NOT NULL,
        bytes BIGINT NOT NULL,
        PRIMARY KEY (video_id, minute)
    )""",
    """CREATE TABLE traffic_day (
        user_id VARCHAR(64) NOT NULL,
        day INTEGER NOT NULL,
        bytes BIGINT NOT NULL,
        PRIMARY KEY (user_id, day)
    )""",
    """CREATE TABLE traffic_video_total (
        video_id VARCHAR(64) NOT NULL PRIMARY KEY,
        user_id VARCHAR(64) NOT NULL,
        bytes BIGINT NOT NULL
    )""",
)


# One round trip per ingested batch on PostgreSQL: the buckets and both rollups in one call.
# Each upsert takes its rows in key order, and the tables always in this order, so two
# concurrent batches lock shared rows in the same order and cannot deadlock.
_POSTGRES_ADD = """
CREATE FUNCTION traffic_add(
    p_video_ids VARCHAR[], p_user_ids VARCHAR[], p_minutes BIGINT[], p_days INTEGER[], p_bytes BIGINT[]
) RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO traffic_minute AS t (video_id, minute, bytes)
        SELECT v, m, b FROM unnest(p_video_ids, p_minutes, p_bytes) AS i(v, m, b) ORDER BY v, m
        ON CONFLICT (video_id, minute) DO UPDATE SET bytes = t.bytes + excluded.bytes;
    INSERT INTO traffic_day AS t (user_id, day, bytes)
        SELECT u, d, SUM(b) FROM unnest(p_user_ids, p_days, p_bytes) AS i(u, d, b) GROUP BY u, d ORDER BY u, d
        ON CONFLICT (user_id, day) DO UPDATE SET bytes = t.bytes + excluded.bytes;
    INSERT INTO traffic_video_total AS t (video_id, user_id, bytes)
        SELECT v, MIN(u), SUM(b) FROM unnest(p_video_ids, p_user_ids, p_bytes) AS i(v, u, b) GROUP BY v ORDER BY v
        ON CONFLICT (video_id) DO UPDATE SET bytes = t.bytes + excluded.bytes;
END
$$"""


async def apply(connection: BaseDBAsyncClient, dialect: str) -> None:
    # SQLite: cluster rows on the key, so a video's minutes are one contiguous range.
    suffix = " WITHOUT ROWID" if dialect == "sqlite" else ""
    for table in _TABLES:
        await connection.execute_script(table + suffix)
    if dialect == "postgres":
        await connection.execute_script(_POSTGRES_ADD)
