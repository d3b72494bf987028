"""A real ``vod serve`` process on a free loopback port, with its own data directory."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from tests.conftest import pg_admin
from tests.media.factory import Clip, make_clip

T = TypeVar("T")
VOD = str(Path(sys.executable).with_name("vod"))
START_TIMEOUT_S = 60.0
API_KEY = "e2e-default-key-0123456789"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for(what: str, check: Callable[[], T | None], timeout_s: float = 60.0) -> T:
    """Poll ``check`` until it returns something other than None, or fail after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = check()
        if result is not None:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout_s:.0f} s waiting for {what}")
        time.sleep(0.05)


@dataclass
class Server:
    process: subprocess.Popen[str]
    base_url: str
    data_dir: Path
    env: dict[str, str]
    log_path: Path
    """Everything the server printed (a file, not a pipe: it logs every request and must never block on it)."""

    def client(self, key: str | None = API_KEY) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=30)

    def stop(self) -> tuple[int, str]:
        """SIGTERM, then the exit code and everything the server printed."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)
        return self.process.returncode, self.log_path.read_text()


def start_server(data_dir: Path, *args: str, **env: str) -> Server:
    """``vod serve ARGS`` on a free port (``VOD_PORT``, unless ``args`` name ``--port``)."""
    port = free_port()
    full_env = {
        **os.environ,
        "VOD_DATA_DIR": str(data_dir),
        "VOD_HOST": "127.0.0.1",
        "VOD_PORT": str(port),
        "VOD_TIMEZONE": "Asia/Shanghai",
        **env,
    }
    log_path = data_dir.with_name(f"{data_dir.name}-serve-{port}.log")
    with log_path.open("w") as log:
        process = subprocess.Popen([VOD, "serve", *args], env=full_env, stdout=log, stderr=subprocess.STDOUT, text=True)
    listening = int(args[args.index("--port") + 1]) if "--port" in args else port
    server = Server(process, f"http://127.0.0.1:{listening}", data_dir, full_env, log_path)

    def healthy() -> bool | None:
        if process.poll() is not None:
            pytest.fail(f"vod serve exited with {process.returncode}: {log_path.read_text()}")
        try:
            return httpx.get(f"{server.base_url}/health", timeout=2).status_code == 200 or None
        except httpx.TransportError:
            return None

    wait_for("vod serve to answer /health", healthy, START_TIMEOUT_S)
    return server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(tmp_path_factory.mktemp("vod-data"), VOD_DEFAULT_API_KEY=API_KEY)
    yield running
    code, output = running.stop()
    assert code == 0, output


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("clips") / "holiday.mp4"
    make_clip(str(path), Clip(width=320, height=180, seconds=2.0))
    return path


@pytest.fixture
def database_url(postgres_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database of this test alone (the run's ``postgres_url`` one is shared)."""
    name = f"vod_scale_{secrets.token_hex(4)}"
    asyncio.run(pg_admin(f'CREATE DATABASE "{name}"'))
    yield f"{postgres_url.rpartition('/')[0]}/{name}"
    asyncio.run(pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
