"""A failing database surfaces as StorageUnavailable (cause kept, logged once); the use case picks the code."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import pytest

from adapters.tortoise import TortoiseDatabase
from entrypoints.bootstrap import bootstrap
from entrypoints.config import Config
from tests.contract.test_repositories import T0
from vod_core.errors import (
    GetVideoFailed,
    InsertPlaySetFailed,
    InternalError,
    ListVideoFailed,
    SizeSumFailed,
    StorageUnavailable,
    UniqueViolation,
    VodError,
)
from vod_core.play_set import PlaySet
from vod_core.services.validation import Page
from vod_core.users import User


async def test_driver_errors_become_storage_unavailable_with_the_cause_chained_and_logged_once(
    tortoise_db: TortoiseDatabase, caplog: pytest.LogCaptureFixture
) -> None:
    await tortoise_db.client.execute_query("DROP TABLE video")
    await tortoise_db.client.execute_query("DROP TABLE play_set")
    caplog.set_level(logging.ERROR)

    async with tortoise_db.unit_of_work() as uow:
        with pytest.raises(StorageUnavailable) as raised:
            await uow.videos.get("v1")
    assert not isinstance(raised.value, VodError)  # an adapter has no contract code to give
    assert raised.value.__cause__ is not None
    assert "TortoiseVideoRepository.get" in str(raised.value)
    logged = [r for r in caplog.records if r.name == "adapters.tortoise.errors"]
    assert len(logged) == 1 and logged[0].exc_info is not None
    assert "TortoiseVideoRepository.get" in logged[0].getMessage()

    async with tortoise_db.unit_of_work() as uow:
        with pytest.raises(StorageUnavailable):
            await uow.play_sets.add(PlaySet("p1", "v1", "u1", 1, "360P", T0, T0))
    async with tortoise_db.unit_of_work() as uow:
        with pytest.raises(StorageUnavailable):
            await uow.files.linked_size_sum("u1")


async def test_a_broken_uniqueness_rule_is_still_a_unique_violation(tortoise_db: TortoiseDatabase) -> None:
    async with tortoise_db.unit_of_work() as uow:
        await uow.users.add(User("u1", "alice", T0))
        await uow.commit()
    async with tortoise_db.unit_of_work() as uow:
        with pytest.raises(UniqueViolation):
            await uow.users.add(User("u2", "alice", T0))


async def test_use_cases_over_a_broken_database_answer_with_their_own_codes(tortoise_db: TortoiseDatabase) -> None:
    vod = bootstrap(Config.in_memory(), database=tortoise_db).vod
    user, key = await vod.users.create_user("alice")
    for table in ("play_set", "video", "api_key"):
        await tortoise_db.client.execute_query(f"DROP TABLE {table}")

    expected: list[tuple[type[InternalError], Callable[[], Awaitable[object]]]] = [
        (GetVideoFailed, lambda: vod.videos.get_video(user.id, "v1")),
        (ListVideoFailed, lambda: vod.videos.list_videos(user.id, Page())),
        (SizeSumFailed, lambda: vod.videos.size_sum(user.id)),
        (InsertPlaySetFailed, lambda: vod.transcoding.start_transcode(user.id, "v1", 1)),
        (InternalError, lambda: vod.users.authenticate(key)),
    ]
    for failure, call in expected:
        with pytest.raises(InternalError) as raised:
            await call()
        assert type(raised.value) is failure
        assert isinstance(raised.value.__cause__, StorageUnavailable)
    assert raised.value.code == 3100  # authentication: never 3141-3144 (video key descriptions)
