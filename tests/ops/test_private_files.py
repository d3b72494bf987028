"""The data directory and the SQLite file hold secrets: owner only."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from adapters.tortoise.database import SQLITE_FILE, TortoiseDatabase, sqlite_url


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_a_new_data_dir_is_0700_and_the_database_0600(tmp_path: Path) -> None:
    data_dir = tmp_path / "fresh" / "data"
    database = TortoiseDatabase(sqlite_url(str(data_dir)))
    old_umask = os.umask(0o022)  # the usual umask, which made the file 0644
    try:
        await database.connect()
        await database.close()
    finally:
        os.umask(old_umask)
    assert mode(data_dir) == 0o700
    files = [p for p in data_dir.iterdir() if p.name.startswith(SQLITE_FILE)]
    assert data_dir / SQLITE_FILE in files
    assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}


async def test_an_existing_readable_database_is_made_private(tmp_path: Path) -> None:
    first = TortoiseDatabase(sqlite_url(str(tmp_path)))
    await first.connect()
    await first.close()
    (tmp_path / SQLITE_FILE).chmod(0o644)
    again = TortoiseDatabase(sqlite_url(str(tmp_path)))
    await again.connect()
    await again.close()
    assert mode(tmp_path / SQLITE_FILE) == 0o600
