"""The name search finds the same videos in memory and in SQL, for any Unicode names and needles."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.memory.database import MemoryDatabase
from adapters.memory.unit_of_work import MemoryUnitOfWork
from adapters.tortoise import TortoiseDatabase, sqlite_url
from tests.contract.conftest import open_database
from tests.contract.test_repositories import video
from vod_core.ports.unit_of_work import UnitOfWork
from vod_core.ports.videos import VideoQuery

# No NUL (PostgreSQL text cannot hold it) and no lone surrogates (not text); LIKE's own characters often.
characters = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00") | st.sampled_from("%_\\ßİıÉé")
names = st.text(characters, min_size=1, max_size=12)


@st.composite
def needles(draw: st.DrawFn, names: list[str]) -> str:
    """A piece of one of the names, often in another case, or any text."""
    name = draw(st.sampled_from(names))
    start = draw(st.integers(0, len(name)))
    piece = name[start : draw(st.integers(start, len(name)))]
    changed = draw(st.sampled_from([piece, piece.upper(), piece.lower(), piece.swapcase()]))
    return draw(st.sampled_from([changed, draw(st.text(characters, max_size=4))]))


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def stores(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[asyncio.Runner, TortoiseDatabase, MemoryDatabase]]:
    kind = str(request.param)
    if kind == "sqlite":
        url = sqlite_url(str(tmp_path_factory.mktemp(kind)))
    else:
        url = request.getfixturevalue("postgres_url")
    with asyncio.Runner() as runner:
        database = runner.run(open_database(kind, url))
        try:
            yield runner, database, MemoryDatabase()
        finally:
            runner.run(database.close())


_users = itertools.count()


async def found(uow: UnitOfWork, query: VideoQuery) -> list[str]:
    async with uow:
        return [v.id for v in await uow.videos.find(query, 0, 100)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), video_names=st.lists(names, min_size=1, max_size=6))
def test_memory_and_sql_find_the_same_videos(
    stores: tuple[asyncio.Runner, TortoiseDatabase, MemoryDatabase], data: st.DataObject, video_names: list[str]
) -> None:
    runner, database, memory = stores
    user = f"u{next(_users)}"
    videos = [video(f"{user}-{n}", user=user, name=name, created=n) for n, name in enumerate(video_names)]

    async def add(uow: UnitOfWork) -> None:
        async with uow:
            for each in videos:
                await uow.videos.add(each)
            await uow.commit()

    runner.run(add(database.unit_of_work()))
    runner.run(add(MemoryUnitOfWork(memory)))
    for _ in range(3):
        query = VideoQuery(user, data.draw(needles(video_names)))
        in_sql = runner.run(found(database.read_unit_of_work(), query))
        assert in_sql == runner.run(found(MemoryUnitOfWork(memory), query)), query
