"""Real ``vod serve`` and ``vod worker`` processes over PostgreSQL and Redis, as the scale-out tests start them.

A :class:`Deployment` is one server plus the workers a test starts; each
worker takes the server's settings, with the test's changes (its own data
directory, for one). Every process logs to a file the test can poll.
"""

from __future__ import annotations

import re
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
import redis

from tests.e2e.conftest import API_KEY, START_TIMEOUT_S, VOD, Server, start_server, wait_for

RUNS = re.compile(r"(\S+) runs (process_video|transcode) of video (\S+) \(attempt (\d+)\)")


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    log: Path
    args: tuple[str, ...]
    env: dict[str, str]
    killed: bool = False

    def output(self) -> str:
        return self.log.read_text()

    def runs(self) -> list[tuple[str, str]]:
        """(job kind, video id) of every job this worker started."""
        return [(m[2], m[3]) for m in RUNS.finditer(self.output())]

    def kill(self) -> None:
        """SIGKILL, as a machine that is lost; returns once its transcoding processes died with it."""
        children = psutil.Process(self.process.pid).children(recursive=True)
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self.killed = True
        _, alive = psutil.wait_procs(children, timeout=15)
        assert not alive, f"processes of the killed worker live on: {alive}"


@dataclass
class Deployment:
    server: Server
    prefix: str
    redis_url: str
    logs: Path
    workers: list[Worker]

    def start_worker(self, *args: str, **env: str) -> Worker:
        """``vod worker ARGS`` with the server's settings, ``env`` replacing some."""
        return self._spawn(args, {**self.server.env, **env})

    def restart(self, worker: Worker) -> Worker:
        """A new ``vod worker`` with the settings (data directory included) of ``worker``, which must have ended."""
        assert worker.process.poll() is not None, "restart a worker that is still running"
        return self._spawn(worker.args, worker.env)

    def _spawn(self, args: tuple[str, ...], env: dict[str, str]) -> Worker:
        log = self.logs / f"worker-{len(self.workers)}.log"
        with log.open("wb") as out:
            process = subprocess.Popen([VOD, "worker", *args], env=env, stdout=out, stderr=subprocess.STDOUT)
        worker = Worker(process, log, args, env)
        self.workers.append(worker)
        return worker

    def wait_consuming(self, worker: Worker) -> None:
        def consuming() -> bool | None:
            if worker.process.poll() is not None:
                pytest.fail(f"vod worker exited with {worker.process.returncode}: {worker.output()}")
            return f"reads {self.prefix}jobs" in worker.output() or None

        wait_for("vod worker to read the job stream", consuming, START_TIMEOUT_S)

    def stream(self) -> tuple[bool, int]:
        """Whether the job stream exists under this deployment's prefix, and how many entries it holds."""
        client = redis.Redis.from_url(self.redis_url)
        try:
            key = f"{self.prefix}jobs"
            return bool(client.exists(key)), int(client.xlen(key))
        finally:
            client.close()

    def stop_all(self) -> None:
        """SIGTERM every worker not killed, then the server: each must exit cleanly."""
        running = [worker for worker in self.workers if not worker.killed]
        for worker in running:
            worker.process.send_signal(signal.SIGTERM)
        for worker in running:
            assert worker.process.wait(timeout=15) == 0, worker.output()
        code, output = self.server.stop()
        assert code == 0, output


@contextmanager
def deploy(
    data_dir: Path, logs: Path, database_url: str, redis_url: str, redis_prefix: str, **env: str
) -> Iterator[Deployment]:
    """A ``vod serve`` on ``data_dir`` with ``env``; every process still running at the end is killed."""
    logs.mkdir(exist_ok=True)
    server = start_server(
        data_dir,
        VOD_DATABASE_URL=database_url,
        VOD_REDIS_URL=redis_url,
        VOD_REDIS_PREFIX=redis_prefix,
        VOD_DEFAULT_API_KEY=API_KEY,
        **env,
    )
    running = Deployment(server, redis_prefix, redis_url, logs, [])
    try:
        yield running
    finally:
        for worker in running.workers:  # only when the test failed before stopping them
            if worker.process.poll() is None:
                worker.process.kill()
                worker.process.wait()
        if server.process.poll() is None:
            server.process.kill()
            server.process.communicate()


def ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["errcode"] == 1000, body
    return body
