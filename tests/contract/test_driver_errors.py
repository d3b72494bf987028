"""A failing database surfaces as the contract's internal error, with the driver's cause kept and logged."""

from __future__ import annotations

import logging

import pytest

from adapters.tortoise import TortoiseDatabase
from tests.contract.test_repositories import T0
from vod_core.errors import GetVideoFailed, InsertPlaySetFailed, SizeSumFailed
from vod_core.play_set import PlaySet


async def test_driver_errors_become_internal_errors_with_the_cause_chained(
    tortoise_db: TortoiseDatabase, caplog: pytest.LogCaptureFixture
) -> None:
    await tortoise_db.client.execute_query("DROP TABLE video")
    await tortoise_db.client.execute_query("DROP TABLE play_set")
    caplog.set_level(logging.ERROR, logger="adapters.tortoise.errors")

    async with tortoise_db.unit_of_work() as uow:
        with pytest.raises(GetVideoFailed) as raised:
            await uow.videos.get("v1")
    assert raised.value.code == 3122
    assert raised.value.__cause__ is not None
    assert "GetVideoFailed" in caplog.text

    async with tortoise_db.unit_of_work() as uow:
        with pytest.raises(InsertPlaySetFailed):
            await uow.play_sets.add(PlaySet("p1", "v1", "u1", 1, "360P", T0, T0))
    async with tortoise_db.unit_of_work() as uow:
        with pytest.raises(SizeSumFailed):
            await uow.files.linked_size_sum("u1")
