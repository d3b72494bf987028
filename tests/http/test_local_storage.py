"""LocalStorage: atomic writes, nothing left behind on failure or over the limit, safe keys."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

import pytest

from adapters.storage import LocalStorage
from vod_core.errors import NotFound, UploadTooLarge


async def chunks(parts: Iterable[bytes]) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


def leftovers(storage: LocalStorage) -> list[str]:
    return os.listdir(os.path.join(storage.root, "tmp")) + os.listdir(os.path.join(storage.root, "objects"))


async def test_a_streamed_write_is_stored_whole(tmp_path: Path) -> None:
    storage = LocalStorage(str(tmp_path))
    parts = [os.urandom(700_000) for _ in range(4)]
    assert await storage.write("abc", chunks(parts)) == 2_800_000
    assert Path(await storage.local_path("abc")).read_bytes() == b"".join(parts)
    assert await storage.exists("abc")
    assert os.listdir(os.path.join(storage.root, "tmp")) == []


async def test_an_oversized_write_keeps_nothing(tmp_path: Path) -> None:
    storage = LocalStorage(str(tmp_path))
    with pytest.raises(UploadTooLarge):
        await storage.write("abc", chunks([b"x" * 600, b"x" * 600]), max_bytes=1000)
    assert leftovers(storage) == []


async def test_a_failing_source_keeps_nothing_and_leaves_an_old_object_intact(tmp_path: Path) -> None:
    storage = LocalStorage(str(tmp_path))
    await storage.write("abc", chunks([b"old"]))

    async def broken() -> AsyncIterator[bytes]:
        yield b"new"
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        await storage.write("abc", broken())
    assert Path(await storage.local_path("abc")).read_bytes() == b"old"
    assert os.listdir(os.path.join(storage.root, "tmp")) == []


async def test_import_delete_and_missing_keys(tmp_path: Path) -> None:
    storage = LocalStorage(str(tmp_path / "store"))
    source = tmp_path / "cover.jpg"
    source.write_bytes(b"jpeg")
    assert await storage.import_file("cover1", str(source)) == 4
    await storage.delete("cover1")
    await storage.delete("cover1")
    assert not await storage.exists("cover1")
    with pytest.raises(NotFound):
        await storage.local_path("cover1")


@pytest.mark.parametrize("key", ["../escape", "a/b", "", ".hidden", "x" * 200])
async def test_path_like_keys_are_refused(tmp_path: Path, key: str) -> None:
    storage = LocalStorage(str(tmp_path))
    with pytest.raises(NotFound):
        await storage.write(key, chunks([b"x"]))
    assert not await storage.exists(key)
