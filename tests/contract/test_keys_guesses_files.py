"""Contracts added with m0007: wrong-guess records, which storage ids have rows, users' keys and ``disabled``.

Run against memory, SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from tests.contract.conftest import ReadUowFactory, UowFactory
from vod_core.files import StoredFile
from vod_core.guesses import WrongGuesses
from vod_core.users import ApiKey, User

T0 = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
DAY = timedelta(days=1)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


async def add_failure(uow_factory: UowFactory, client: str, video_id: str, when: datetime) -> int:
    async with uow_factory() as uow:
        count = await uow.guesses.add_failure(client, video_id, when, when - DAY)
        await uow.commit()
    return count


async def record(read_uow_factory: ReadUowFactory, client: str, video_id: str) -> WrongGuesses | None:
    async with read_uow_factory() as uow:
        return await uow.guesses.get(client, video_id)


async def test_failures_are_counted_per_client_and_video(
    uow_factory: UowFactory, read_uow_factory: ReadUowFactory
) -> None:
    assert await record(read_uow_factory, "c1", "v1") is None
    assert [await add_failure(uow_factory, "c1", "v1", at(i)) for i in range(3)] == [1, 2, 3]
    assert await add_failure(uow_factory, "c2", "v1", at(3)) == 1
    assert await add_failure(uow_factory, "c1", "v2", at(3)) == 1
    assert await record(read_uow_factory, "c1", "v1") == WrongGuesses("c1", "v1", 3, at(2), at(0))


async def test_hold_sets_the_next_allowed_moment_and_clear_forgets(
    uow_factory: UowFactory, read_uow_factory: ReadUowFactory
) -> None:
    await add_failure(uow_factory, "c1", "v1", at(0))
    await add_failure(uow_factory, "c2", "v1", at(0))
    async with uow_factory() as uow:
        await uow.guesses.hold("c1", "v1", at(30))
        await uow.guesses.hold("nobody", "v1", at(30))  # no record: nothing to hold
        await uow.commit()
    found = await record(read_uow_factory, "c1", "v1")
    assert found is not None and found.next_allowed_at == at(30)
    assert await record(read_uow_factory, "nobody", "v1") is None
    async with uow_factory() as uow:
        await uow.guesses.clear("c1", "v1")
        await uow.guesses.clear("c1", "v9")  # clearing nothing is fine
        await uow.commit()
    assert await record(read_uow_factory, "c1", "v1") is None
    assert await record(read_uow_factory, "c2", "v1") is not None


async def test_counting_starts_again_after_the_forget_window(uow_factory: UowFactory) -> None:
    assert await add_failure(uow_factory, "c1", "v1", at(0)) == 1
    assert await add_failure(uow_factory, "c1", "v1", at(10)) == 2
    assert await add_failure(uow_factory, "c1", "v1", at(10) + DAY) == 1  # the last failure is a day old


async def test_a_rolled_back_failure_is_not_counted(uow_factory: UowFactory, read_uow_factory: ReadUowFactory) -> None:
    async with uow_factory() as uow:
        await uow.guesses.add_failure("c1", "v1", at(0), at(0) - DAY)
    assert await record(read_uow_factory, "c1", "v1") is None


async def test_stale_records_are_deleted(uow_factory: UowFactory, read_uow_factory: ReadUowFactory) -> None:
    await add_failure(uow_factory, "old", "v1", at(0))
    await add_failure(uow_factory, "new", "v1", at(100))
    async with uow_factory() as uow:
        assert await uow.guesses.delete_stale(at(50)) == 1
        await uow.commit()
    assert await record(read_uow_factory, "old", "v1") is None
    assert await record(read_uow_factory, "new", "v1") is not None


async def test_concurrent_failures_all_count(uow_factory: UowFactory, read_uow_factory: ReadUowFactory) -> None:
    counts = await asyncio.gather(*(add_failure(uow_factory, "c1", "v1", at(1)) for _ in range(8)))
    assert sorted(counts) == list(range(1, 9))
    found = await record(read_uow_factory, "c1", "v1")
    assert found is not None and found.failures == 8


def stored(file_id: str, *, deleted: bool = False) -> StoredFile:
    return StoredFile(file_id, "u1", f"{file_id}.mp4", 10, "video/mp4", T0, deleted=deleted)


async def test_existing_names_the_storage_ids_that_have_rows(
    uow_factory: UowFactory, read_uow_factory: ReadUowFactory
) -> None:
    async with uow_factory() as uow:
        await uow.files.add(stored("f1"))
        await uow.files.add(stored("f2", deleted=True))
        await uow.commit()
    async with read_uow_factory() as uow:
        assert await uow.files.existing(["f1", "f2", "f3", "f1"]) == {"f1", "f2"}
        assert await uow.files.existing([]) == set()
        many = [f"x{i}" for i in range(1500)] + ["f1"]
        assert await uow.files.existing(many) == {"f1"}


async def test_users_are_listed_by_name_with_their_key_counts(
    uow_factory: UowFactory, read_uow_factory: ReadUowFactory
) -> None:
    bob, alice = User("u2", "bob", at(0)), User("u1", "alice", at(1))
    async with uow_factory() as uow:
        for user in (bob, alice):
            await uow.users.add(user)
        for key in ("k1", "k2"):
            await uow.users.add_api_key(ApiKey(key, "u1", at(2)))
        await uow.commit()
    async with read_uow_factory() as uow:
        assert await uow.users.list_with_key_counts() == [(alice, 2), (bob, 0)]


async def test_a_disabled_user_owns_no_key_and_deleted_keys_are_gone(
    uow_factory: UowFactory, read_uow_factory: ReadUowFactory
) -> None:
    alice, bob = User("u1", "alice", at(0)), User("u2", "bob", at(0))
    async with uow_factory() as uow:
        for user in (alice, bob):
            await uow.users.add(user)
        for key, owner in (("k1", "u1"), ("k2", "u1"), ("k3", "u2")):
            await uow.users.add_api_key(ApiKey(key, owner, at(1)))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.users.delete_api_keys("u1") == 2
        bob.disabled = True
        await uow.users.update(bob)
        await uow.commit()
    async with read_uow_factory() as uow:
        assert await uow.users.user_for_key_hash("k1") is None
        assert await uow.users.user_for_key_hash("k3") is None  # bob is disabled
        assert await uow.users.get("u2") == bob
        assert await uow.users.list_with_key_counts() == [(alice, 0), (bob, 1)]
