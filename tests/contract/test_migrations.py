"""Versioned migrations: a database made by an older schema keeps its data when upgraded."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TypeVar

from adapters.tortoise import TortoiseDatabase
from adapters.tortoise.mapping import API_KEYS, FILES, OUTBOX, PLAY_SETS, SETTINGS, USERS, VIDEOS, Table
from adapters.tortoise.migrator import steps
from adapters.tortoise.sql import execute, fetch
from tests.contract.conftest import open_database
from vod_core.events import OutboxEvent
from vod_core.files import StoredFile
from vod_core.play_set import PlaySet
from vod_core.ports.videos import VideoQuery
from vod_core.settings import EventCategory, UserSettings
from vod_core.users import ApiKey, User
from vod_core.video import Video, VideoStatus

T = TypeVar("T")

T0 = datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC)
ALICE = User("u1", "alice", T0)
VIDEO = Video("v1", "u1", "s1", "Old clip ÉTÉ", T0, T0, status=VideoStatus.READY, file_size=99)
PLAY_SET = PlaySet("p1", "v1", "u1", 1, "360P", T0, T0)
ORIGINAL = StoredFile("s1", "u1", "clip.mp4", 99, "video/mp4", T0, video_id="v1")
USER_SETTINGS = UserSettings("u1", "secret", [1, 2], {EventCategory.VIDEO: "https://example.com/h"})
DELETED_VIDEO = Video("v0", "u1", "s0", "gone", T0, T0, status=VideoStatus.DELETED)
EVENT = OutboxEvent("e1", "u1", "video_ready", {"video_id": "v1"}, T0, T0)


async def recorded_versions(database: TortoiseDatabase) -> list[int]:
    rows = await fetch(database.client, "SELECT version FROM schema_migration ORDER BY version")
    return [int(row[0]) for row in rows]


ADDED_LATER = {
    "play_set": {"hls_index"},  # m0008: play sets of before read back as plain MP4s ("")
    "vod_user": {"disabled"},  # m0007
    "video": {"source_url"},  # m0010: videos of before are uploaded files ("")
}
"""Fields of today's dataclasses that version 1 had no column for."""


async def insert_v1(database: TortoiseDatabase, table: Table[T], entity: T) -> None:
    """A row as version 1 stored it: the dataclass's fields, no derived column, none added later."""
    later = ADDED_LATER.get(table.name, set())
    values = {name: value for name, value in table.values(entity).items() if name in table.fields and name not in later}
    marks = ", ".join("?" * len(values))
    await execute(
        database.client, f"INSERT INTO {table.name} ({', '.join(values)}) VALUES ({marks})", [*values.values()]
    )


async def test_upgrading_a_version_1_database_keeps_its_data(sql_backend: str, sql_backend_url: str) -> None:
    database = await open_database(sql_backend, sql_backend_url, migrate=False)
    try:
        assert await database.migrate(target=1) == ["m0001_core"]
        await insert_v1(database, USERS, ALICE)
        await insert_v1(database, API_KEYS, ApiKey("h1", "u1", T0))
        await insert_v1(database, SETTINGS, USER_SETTINGS)
        await insert_v1(database, FILES, ORIGINAL)
        await insert_v1(database, VIDEOS, VIDEO)
        await insert_v1(database, VIDEOS, DELETED_VIDEO)
        await insert_v1(database, PLAY_SETS, PLAY_SET)
        await insert_v1(database, OUTBOX, EVENT)

        later = [step.module for step in steps() if step.version > 1]
        assert await database.migrate() == later
        assert await database.migrate() == []
        assert await recorded_versions(database) == [step.version for step in steps()]

        async with database.unit_of_work() as uow:
            assert await uow.users.user_for_key_hash("h1") == ALICE
            assert await uow.settings.get("u1") == USER_SETTINGS
            assert await uow.files.get("s1") == ORIGINAL
            assert await uow.videos.get("v1") == VIDEO
            assert await uow.play_sets.live_for_videos(["v1"]) == [PLAY_SET]
            assert await uow.outbox.due(T0, 10) == [EVENT]
            assert await uow.files.linked_size_sum("u1") == 99
            assert await uow.videos.count(VideoQuery("u1")) == 1
            assert await uow.videos.find(VideoQuery("u1"), 0, 10) == [VIDEO]
            assert await uow.videos.find(VideoQuery("u1", "clip été"), 0, 10) == [VIDEO]  # folded by m0005
    finally:
        await database.close()


async def test_connect_brings_an_empty_database_to_the_head_version(tortoise_db: TortoiseDatabase) -> None:
    assert await recorded_versions(tortoise_db) == [step.version for step in steps()]
    assert steps()[0].module == "m0001_core"
    assert await tortoise_db.migrate() == []
