"""The repository parts behind media access (API.md C1): the deployment's keys, and unlinked uploads.

Run against memory, SQLite and PostgreSQL alike; the compare-and-set
methods are what make the sweep of expired uploads safe in several
processes at once.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from tests.contract.conftest import UowFactory
from vod_core.files import StoredFile

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def upload(storage_id: str, *, created: float = 0, user: str = "u1", video: str = "", size: int = 10) -> StoredFile:
    return StoredFile(storage_id, user, f"{storage_id}.mp4", size, "video/mp4", T0 + timedelta(seconds=created), video)


async def add(uow_factory: UowFactory, *files: StoredFile) -> None:
    async with uow_factory() as uow:
        for stored in files:
            await uow.files.add(stored)
        await uow.commit()


async def test_a_service_key_is_stored_once_and_the_first_value_stays(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        assert await uow.service_keys.get("url_signing_key") is None
        await uow.service_keys.add_if_absent("url_signing_key", "first")
        await uow.service_keys.add_if_absent("url_signing_key", "second")
        await uow.commit()
    async with uow_factory() as uow:
        await uow.service_keys.add_if_absent("url_signing_key", "third")
        await uow.commit()
        assert await uow.service_keys.get("url_signing_key") == "first"
        assert await uow.service_keys.get("other") is None


async def test_unlinked_uploads_before_a_cutoff_oldest_first(uow_factory: UowFactory) -> None:
    await add(
        uow_factory,
        upload("b", created=20),
        upload("a", created=10),
        upload("linked", created=0, video="v1"),
        upload("new", created=100),
    )
    async with uow_factory() as uow:
        found = await uow.files.unlinked_before(T0 + timedelta(seconds=20), 10)
        assert [f.id for f in found] == ["a", "b"]
        assert [f.id for f in await uow.files.unlinked_before(T0 + timedelta(seconds=20), 1)] == ["a"]


async def test_unlinked_size_sum_counts_live_unlinked_uploads_after_the_cutoff(uow_factory: UowFactory) -> None:
    await add(
        uow_factory,
        upload("old", created=0, size=1),
        upload("fresh", created=50, size=2),
        upload("linked", created=50, video="v1", size=4),
        upload("other", created=50, user="u2", size=8),
        upload("deleted", created=50, size=16),
    )
    async with uow_factory() as uow:
        await uow.files.mark_deleted(["deleted"])
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.files.unlinked_size_sum("u1", T0 + timedelta(seconds=10)) == 2
        assert await uow.files.unlinked_size_sum("u1", T0 - timedelta(seconds=1)) == 3


async def test_link_and_delete_if_unlinked_each_win_once(uow_factory: UowFactory) -> None:
    await add(uow_factory, upload("a"), upload("b"))
    async with uow_factory() as uow:
        assert await uow.files.link("a", "v1") is True
        assert await uow.files.link("a", "v2") is False  # already linked
        assert await uow.files.delete_if_unlinked("a") is False  # a linked file is not swept
        assert await uow.files.delete_if_unlinked("b") is True
        assert await uow.files.delete_if_unlinked("b") is False  # swept already
        assert await uow.files.link("b", "v3") is False  # a swept file cannot be linked
        assert await uow.files.link("nosuchfile", "v3") is False
        await uow.commit()
    async with uow_factory() as uow:
        a, b = await uow.files.get("a"), await uow.files.get("b")
        assert a is not None and (a.video_id, a.deleted) == ("v1", False)
        assert b is not None and (b.video_id, b.deleted) == ("", True)


async def test_concurrent_sweeps_delete_each_upload_exactly_once(uow_factory: UowFactory) -> None:
    await add(uow_factory, *(upload(f"f{n}") for n in range(6)))

    async def sweep() -> list[str]:
        async with uow_factory() as uow:
            candidates = await uow.files.unlinked_before(T0, 100)
            won = [f.id for f in candidates if await uow.files.delete_if_unlinked(f.id)]
            await uow.commit()
            return won

    first, second = await asyncio.gather(sweep(), sweep())
    assert sorted(first + second) == [f"f{n}" for n in range(6)]
