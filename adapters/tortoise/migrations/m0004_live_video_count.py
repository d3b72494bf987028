"""A per-user count of live videos, kept by triggers, for the library's total.

Every list request returns the total count of the user's videos; counting
100,000 rows each time costs more than the page itself. Triggers keep
``video_live_count`` exact in the same transaction as the change (a video
added live, or moving to or from status 4), so the unfiltered count is one
row read. The price: concurrent inserts of one user's videos queue on that
user's counter row until each commits. Existing videos are counted now.
"""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

VERSION = 4
NAME = "live_video_count"

_TABLE = "CREATE TABLE video_live_count (user_id VARCHAR(32) PRIMARY KEY, live BIGINT NOT NULL)"
_BACKFILL = (
    "INSERT INTO video_live_count (user_id, live)"
    " SELECT user_id, COUNT(*) FROM video WHERE status <> 4 GROUP BY user_id"
)
_ADD = "ON CONFLICT (user_id) DO UPDATE SET live = video_live_count.live + excluded.live"

_POSTGRES = [
    f"""CREATE FUNCTION vod_count_live_videos() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        delta INTEGER := CASE WHEN NEW.status <> 4 THEN 1 ELSE 0 END;
    BEGIN
        IF TG_OP = 'UPDATE' THEN
            delta := delta - CASE WHEN OLD.status <> 4 THEN 1 ELSE 0 END;
        END IF;
        IF delta <> 0 THEN
            INSERT INTO video_live_count (user_id, live) VALUES (NEW.user_id, delta) {_ADD};
        END IF;
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER tr_video_live_count AFTER INSERT OR UPDATE OF status ON video"
    " FOR EACH ROW EXECUTE FUNCTION vod_count_live_videos()",
]

_SQLITE = [
    f"""CREATE TRIGGER tr_video_live_insert AFTER INSERT ON video WHEN NEW.status <> 4 BEGIN
        INSERT INTO video_live_count (user_id, live) VALUES (NEW.user_id, 1) {_ADD};
    END""",
    f"""CREATE TRIGGER tr_video_live_update AFTER UPDATE OF status ON video
    WHEN (OLD.status <> 4) <> (NEW.status <> 4) BEGIN
        INSERT INTO video_live_count (user_id, live)
        VALUES (NEW.user_id, CASE WHEN NEW.status <> 4 THEN 1 ELSE -1 END) {_ADD};
    END""",
]


async def apply(connection: BaseDBAsyncClient, dialect: str) -> None:
    for statement in [_TABLE, _BACKFILL, *(_POSTGRES if dialect == "postgres" else _SQLITE)]:
        await connection.execute_query(statement)
