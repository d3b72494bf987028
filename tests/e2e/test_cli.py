"""The ``vod`` command: zero-config first start, user creation, migration, clean SIGTERM."""

from __future__ import annotations

import os
import subprocess
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.e2e.conftest import VOD, free_port, start_server

pytestmark = pytest.mark.slow


def vod(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VOD_DATA_DIR": str(data_dir)}
    return subprocess.run([VOD, *args], env=env, capture_output=True, text=True, timeout=60, check=False)


def test_a_first_start_creates_user_default_prints_its_key_once_and_stops_cleanly(tmp_path: Path) -> None:
    server = start_server(tmp_path)
    try:
        code, output = server.stop()
    finally:
        server.process.kill()
    assert code == 0, output
    lines = output.splitlines()
    key = lines[lines.index("Created user 'default'. Its API key (shown only now):") + 1]
    again = start_server(tmp_path)
    try:
        assert again.client(key).get("/video/api/list").json()["errcode"] == 1000
        assert again.client("not-the-key").get("/video/api/list").status_code == 401
    finally:
        code, output = again.stop()
    assert code == 0 and key not in output


def test_user_create_prints_a_working_key_as_its_last_line(tmp_path: Path) -> None:
    created = vod(tmp_path, "user", "create", "carol")
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip().splitlines()[-1]
    assert len(key) >= 32
    taken = vod(tmp_path, "user", "create", "carol")
    assert taken.returncode == 1 and "name" in taken.stderr
    server = start_server(tmp_path)
    try:
        assert server.client(key).get("/video/api/list").json() == {
            "errcode": 1000,
            "msg": "OK",
            "videos": [],
            "count": 0,
        }
    finally:
        code, output = server.stop()
    assert code == 0, output


def test_migrate_reports_what_it_applied(tmp_path: Path) -> None:
    first = vod(tmp_path, "migrate")
    assert first.returncode == 0 and first.stdout.strip(), first.stderr
    second = vod(tmp_path, "migrate")
    assert second.returncode == 0 and second.stdout.strip() == "The database is up to date."


def test_a_bad_setting_stops_the_start_with_its_name(tmp_path: Path) -> None:
    env = {**os.environ, "VOD_DATA_DIR": str(tmp_path), "VOD_PORT": "eighty"}
    result = subprocess.run([VOD, "serve"], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2 and "VOD_PORT" in result.stderr


def test_worker_without_redis_explains_what_it_needs(tmp_path: Path) -> None:
    result = vod(tmp_path, "worker")
    assert result.returncode == 2 and "VOD_REDIS_URL" in result.stderr


def test_version_prints_the_installed_package_version(tmp_path: Path) -> None:
    result = vod(tmp_path, "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"vod {version('vod-platform')}"


def test_serve_host_and_port_options_override_the_environment(tmp_path: Path) -> None:
    port = free_port()
    # VOD_HOST is an address of no local interface: serving there would fail to start.
    server = start_server(tmp_path, "--host", "127.0.0.1", "--port", str(port), VOD_HOST="192.0.2.1")
    try:
        assert server.client().get("/health").status_code == 200
    finally:
        code, output = server.stop()
    assert code == 0, output
    assert f"Serving on http://127.0.0.1:{port} " in output
    assert server.env["VOD_PORT"] != str(port)


@pytest.mark.parametrize("port", ["eighty", "65536", "-1"])
def test_a_bad_port_option_stops_the_start_with_its_name(tmp_path: Path, port: str) -> None:
    result = vod(tmp_path, "serve", f"--port={port}")
    assert result.returncode == 2 and "--port" in result.stderr
