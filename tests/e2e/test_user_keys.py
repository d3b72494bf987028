"""``vod user list | rotate-key | disable`` in one process while ``vod serve`` runs in another (API.md C5).

The server must refuse a rotated or disabled key on the very next request:
no process may keep trusting a key the database no longer has.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import API_KEY, VOD, start_server

pytestmark = pytest.mark.slow


def vod(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VOD_DATA_DIR": str(data_dir)}
    return subprocess.run([VOD, *args], env=env, capture_output=True, text=True, timeout=60, check=False)


def test_a_rotated_or_disabled_key_is_refused_by_a_running_server_at_once(tmp_path: Path) -> None:
    server = start_server(tmp_path, VOD_DEFAULT_API_KEY=API_KEY)
    try:
        created = vod(tmp_path, "user", "create", "carol")
        assert created.returncode == 0, created.stderr
        carol_key = created.stdout.strip().splitlines()[-1]
        for key in (API_KEY, carol_key):  # both keys used (and, before the fix, cached) by the server
            assert server.client(key).get("/video/api/list").status_code == 200

        rotated = vod(tmp_path, "user", "rotate-key", "default")
        assert rotated.returncode == 0, rotated.stderr
        new_key = rotated.stdout.strip().splitlines()[-1]
        old = server.client(API_KEY).get("/video/api/list")
        assert (old.status_code, old.json()["errcode"]) == (401, 3108)
        assert server.client(new_key).get("/video/api/list").status_code == 200

        disabled = vod(tmp_path, "user", "disable", "carol")
        assert disabled.returncode == 0, disabled.stderr
        assert server.client(carol_key).get("/video/api/list").status_code == 401
        assert server.client(new_key).get("/video/api/list").status_code == 200

        listed = vod(tmp_path, "user", "list")
        assert listed.returncode == 0, listed.stderr
        rows = {line.split()[0]: line.split() for line in listed.stdout.strip().splitlines()[1:]}
        assert rows["default"][-2:] == ["no", "1"] and rows["carol"][-2:] == ["yes", "1"]
        for key in (API_KEY, carol_key, new_key):
            assert key not in listed.stdout
    finally:
        code, output = server.stop()
    assert code == 0, output
    assert new_key not in output and carol_key not in output


def test_unknown_users_are_reported_by_name(tmp_path: Path) -> None:
    for command in ("rotate-key", "disable"):
        result = vod(tmp_path, "user", command, "nobody")
        assert result.returncode == 1 and "name is not a user" in result.stderr, result.stderr
