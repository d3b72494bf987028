"""A PostgreSQL database that disappears under a running service (dropped, its connections killed).

Nothing is mocked: the pool's connections are terminated and every
reconnection fails with the server's own error. Each use case then answers
with the code it declares; authentication answers a plain internal error
(3100), never a "video key description" code (3141-3144).
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg  # type: ignore[import-untyped]
import pytest

from adapters.tortoise import TortoiseDatabase
from entrypoints.bootstrap import bootstrap
from entrypoints.config import Config
from vod_core import Vod
from vod_core.errors import (
    GetVideoFailed,
    InternalError,
    ListVideoFailed,
    SaveTransConfigFailed,
    StorageUnavailable,
)
from vod_core.services.validation import Page

pytestmark = pytest.mark.postgres


@dataclass
class DoomedService:
    vod: Vod
    user_id: str
    key: str
    admin_url: str
    name: str

    async def drop_database(self) -> None:
        admin = await asyncpg.connect(self.admin_url)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.fixture
async def doomed(postgres_url: str) -> AsyncIterator[DoomedService]:
    """A service over its own PostgreSQL database, with a user, ready to lose the database."""
    name = f"vod_outage_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(postgres_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    database = TortoiseDatabase(f"{postgres_url.rpartition('/')[0]}/{name}")
    await database.connect()
    vod = bootstrap(Config.in_memory(), database=database).vod
    user, key = await vod.users.create_user("alice")
    service = DoomedService(vod, user.id, key, postgres_url, name)
    try:
        yield service
    finally:
        await database.close()
        await service.drop_database()


async def test_authentication_during_an_outage_is_a_plain_internal_error(doomed: DoomedService) -> None:
    assert (await doomed.vod.users.authenticate(doomed.key)).id == doomed.user_id
    await doomed.drop_database()
    for _ in range(2):  # the first attempt meets killed connections, the next a failing reconnect
        with pytest.raises(InternalError) as raised:
            await doomed.vod.users.authenticate(doomed.key)
        assert type(raised.value) is InternalError
        assert raised.value.code == 3100
        outage = raised.value.__cause__
        assert isinstance(outage, StorageUnavailable)
        assert isinstance(outage.__cause__, asyncpg.PostgresError | asyncpg.InterfaceError | OSError)


async def test_use_cases_during_an_outage_answer_with_their_declared_codes(doomed: DoomedService) -> None:
    await doomed.drop_database()
    with pytest.raises(GetVideoFailed):
        await doomed.vod.videos.get_video(doomed.user_id, "v1")
    with pytest.raises(ListVideoFailed):
        await doomed.vod.videos.search_videos(doomed.user_id, Page(), "clip")
    with pytest.raises(SaveTransConfigFailed):
        await doomed.vod.preferences.save_trans_config(doomed.user_id, [1])
    with pytest.raises(InternalError) as raised:
        await doomed.vod.users.create_user("bob")
    assert raised.value.code == 3100
