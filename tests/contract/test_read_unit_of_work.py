"""Read units of work (``Context.reader()``): the same answers as a unit of work, committed data only.

On SQLite they read on connections of their own, inline while a statement
stays within a small budget and on a thread beyond it; both paths are run
here (``thread_only`` sets the budget to nothing).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from adapters.tortoise import TortoiseDatabase, sqlite_reader, sqlite_url
from tests.contract.conftest import ReadUowFactory, UowFactory
from tests.contract.test_repositories import T0, add_videos, play_set, stored, video
from vod_core.errors import StorageUnavailable
from vod_core.play_set import PlaySetStatus
from vod_core.ports.videos import VideoQuery
from vod_core.users import ApiKey, User

ROUTES = ["inline", "thread"]


@pytest.fixture(params=ROUTES)
def route(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Where SQLite reads run: inline first (the default), or always on a reader thread."""
    if request.param == "thread":
        monkeypatch.setattr(sqlite_reader, "INLINE_BUDGET", 0)
    return str(request.param)


async def fill(uow_factory: UowFactory) -> None:
    await add_videos(uow_factory, *(video(f"v{n:02d}", created=n, name=f"clip {n}") for n in range(30)))
    async with uow_factory() as uow:
        await uow.play_sets.add(play_set("p1", "v03", template=1, created=1))
        await uow.play_sets.add(play_set("p2", "v03", template=2, created=2, status=PlaySetStatus.DELETED))
        await uow.play_sets.add(play_set("p3", "v04", template=1, created=3))
        await uow.files.add(stored("f1", video_id="v03"))
        await uow.users.add(User("u1", "alice", T0))
        await uow.users.add_api_key(ApiKey("hash-1", "u1", T0))
        await uow.commit()


async def test_a_reader_answers_as_a_unit_of_work_does(
    uow_factory: UowFactory, read_uow_factory: ReadUowFactory, route: str
) -> None:
    await fill(uow_factory)

    async def everything(factory: ReadUowFactory) -> list[object]:
        async with factory() as uow:
            return [
                await uow.videos.get("v03"),
                await uow.videos.get("nope"),
                await uow.videos.get_many(["v05", "nope", "v01"]),
                await uow.videos.find(VideoQuery("u1"), 3, 5),
                await uow.videos.find(VideoQuery("u1", search="CLIP 1"), 0, 100),
                await uow.videos.count(VideoQuery("u1")),
                await uow.videos.count(VideoQuery("u1", search="clip 2")),
                await uow.play_sets.live_for_videos(["v03", "v04", "v05"]),
                await uow.files.get("f1"),
                await uow.files.linked_size_sum("u1"),
                await uow.users.user_for_key_hash("hash-1"),
                await uow.users.user_for_key_hash("hash-2"),
                await uow.settings.get("u1"),
            ]

    assert await everything(read_uow_factory) == await everything(uow_factory)


async def test_a_reader_never_sees_another_transactions_uncommitted_writes(
    sql_backend: str, tortoise_db: TortoiseDatabase, route: str
) -> None:
    await add_videos(tortoise_db.unit_of_work, video("old"))
    async with tortoise_db.unit_of_work() as writer:
        await writer.videos.add(video("new", created=1))
        await writer.play_sets.add(play_set("p1", "old"))
        assert await writer.videos.get("new") is not None
        # The write transaction is open (on SQLite it holds the write lock): reading does not wait for it.
        async with tortoise_db.read_unit_of_work() as reader:
            read = asyncio.gather(
                reader.videos.get("new"),
                reader.videos.find(VideoQuery("u1"), 0, 10),
                reader.videos.count(VideoQuery("u1")),
                reader.play_sets.live_for_videos(["old"]),
            )
            missing, page, count, play_sets = await asyncio.wait_for(read, timeout=30)
        assert (missing, [v.id for v in page], count, play_sets) == (None, ["old"], 1, [])
        await writer.commit()
    async with tortoise_db.read_unit_of_work() as reader:
        assert [v.id for v in await reader.videos.find(VideoQuery("u1"), 0, 10)] == ["new", "old"]
        assert [p.id for p in await reader.play_sets.live_for_videos(["old"])] == ["p1"]


async def test_a_reader_has_no_commit(read_uow_factory: ReadUowFactory) -> None:
    """``ReadUnitOfWork`` has no ``commit``, so the type checker rejects one; nor has any adapter's reader."""
    async with read_uow_factory() as reader:
        assert not hasattr(reader, "commit")


async def test_a_reader_refuses_to_write_on_sqlite(tmp_path: Path, route: str) -> None:
    """PostgreSQL readers autocommit; there the use cases that write simply never open one."""
    database = TortoiseDatabase(sqlite_url(str(tmp_path)))
    await database.connect()
    try:
        async with database.read_unit_of_work() as reader:
            with pytest.raises(StorageUnavailable):
                await reader.videos.add(video("v1"))
            with pytest.raises(StorageUnavailable):
                await reader.videos.update(video("v1"))
        async with database.unit_of_work() as uow:
            assert await uow.videos.get("v1") is None
    finally:
        await database.close()
