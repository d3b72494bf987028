"""The console session repository (m0011): the same contract over memory, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.contract.conftest import ReadUowFactory, UowFactory
from vod_core.sessions import ConsoleSession

T0 = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
HOUR = timedelta(hours=1)


def session(name: str, user_id: str = "u1", expires_at: datetime = T0 + HOUR) -> ConsoleSession:
    return ConsoleSession(f"hash-{name}", user_id, f"csrf-{name}", T0, expires_at)


async def add(uow_factory: UowFactory, *sessions: ConsoleSession) -> None:
    async with uow_factory() as uow:
        for each in sessions:
            await uow.sessions.add(each)
        await uow.commit()


async def stored(read_uow_factory: ReadUowFactory, *names: str) -> list[ConsoleSession | None]:
    async with read_uow_factory() as uow:
        return [await uow.sessions.get(f"hash-{name}") for name in names]


async def test_a_session_reads_back_whole(uow_factory: UowFactory, read_uow_factory: ReadUowFactory) -> None:
    await add(uow_factory, session("a"))
    assert await stored(read_uow_factory, "a", "nobody") == [session("a"), None]


async def test_an_uncommitted_session_is_not_kept(uow_factory: UowFactory, read_uow_factory: ReadUowFactory) -> None:
    async with uow_factory() as uow:
        await uow.sessions.add(session("a"))
    assert await stored(read_uow_factory, "a") == [None]


async def test_delete_ends_one_session(uow_factory: UowFactory, read_uow_factory: ReadUowFactory) -> None:
    await add(uow_factory, session("a"), session("b"))
    async with uow_factory() as uow:
        assert await uow.sessions.delete("hash-a") == 1
        assert await uow.sessions.delete("hash-a") == 0
        await uow.commit()
    assert await stored(read_uow_factory, "a", "b") == [None, session("b")]


async def test_delete_for_user_ends_only_that_users_sessions(
    uow_factory: UowFactory, read_uow_factory: ReadUowFactory
) -> None:
    await add(uow_factory, session("a"), session("b"), session("c", user_id="u2"))
    async with uow_factory() as uow:
        assert await uow.sessions.delete_for_user("u1") == 2
        await uow.commit()
    assert await stored(read_uow_factory, "a", "b", "c") == [None, None, session("c", user_id="u2")]


async def test_delete_expired_removes_sessions_expiring_at_or_before_now(
    uow_factory: UowFactory, read_uow_factory: ReadUowFactory
) -> None:
    await add(
        uow_factory,
        session("gone", expires_at=T0),
        session("edge", expires_at=T0 + HOUR),
        session("live", expires_at=T0 + HOUR + timedelta(microseconds=1)),
    )
    async with uow_factory() as uow:
        assert await uow.sessions.delete_expired(T0 + HOUR) == 2
        await uow.commit()
    assert await stored(read_uow_factory, "gone", "edge", "live") == [
        None,
        None,
        session("live", expires_at=T0 + HOUR + timedelta(microseconds=1)),
    ]
