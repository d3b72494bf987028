"""Scale-out with real processes: one ``vod serve`` and ``vod worker`` processes over PostgreSQL and Redis.

Every process shares the data directory, a database of this test alone and
a Redis key prefix of this test alone (``VOD_REDIS_PREFIX``).
"""

from __future__ import annotations

import asyncio
import re
import secrets
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
import redis

from tests.conftest import PG_ADMIN_URL
from tests.e2e.conftest import API_KEY, START_TIMEOUT_S, VOD, Server, start_server, wait_for
from tests.media.factory import Clip, make_clip

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

VIDEOS = 4
TEMPLATES = [1, 2]  # 360P and 480P; the 160x90 clips are never upscaled
RUNS = re.compile(r"(\S+) runs (process_video|transcode) of video (\S+) \(attempt (\d+)\)")


async def _admin(sql: str) -> None:
    import asyncpg  # type: ignore[import-untyped]  # no stubs (as in tests/conftest.py)

    conn = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture
def database_url(postgres_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database of this test alone (the run's ``postgres_url`` one is shared)."""
    name = f"vod_scale_{secrets.token_hex(4)}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    yield f"{postgres_url.rpartition('/')[0]}/{name}"
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text()

    def runs(self) -> list[tuple[str, str]]:
        """(job kind, video id) of every job this worker started."""
        return [(m[2], m[3]) for m in RUNS.finditer(self.output())]


@dataclass
class Deployment:
    server: Server
    prefix: str
    redis_url: str
    logs: Path
    workers: list[Worker]

    def start_worker(self, *args: str) -> Worker:
        log = self.logs / f"worker-{len(self.workers)}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [VOD, "worker", *args], env=self.server.env, stdout=out, stderr=subprocess.STDOUT
            )
        worker = Worker(process, log)
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


@pytest.fixture
def deployment(tmp_path: Path, database_url: str, redis_url: str, redis_prefix: str) -> Iterator[Deployment]:
    logs = tmp_path / "logs"
    logs.mkdir()
    server = start_server(
        tmp_path / "data",
        VOD_DATABASE_URL=database_url,
        VOD_REDIS_URL=redis_url,
        VOD_REDIS_PREFIX=redis_prefix,
        VOD_DEFAULT_API_KEY=API_KEY,
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


def create_videos(api: httpx.Client, clips: Path, count: int) -> list[str]:
    """Upload every clip first, then create the videos back to back so their jobs queue up together."""
    storage_ids = []
    for n in range(count):
        path = clips / f"clip-{n}.mp4"
        make_clip(str(path), Clip(width=160, height=90, seconds=1.0))
        upload = ok(api.post("/storage/api/upload", files={"file": (path.name, path.read_bytes())}))
        storage_ids.append(upload["storage_id"])
    return [ok(api.post("/video/api/create", json={"storage_id": s}))["id"] for s in storage_ids]


def wait_all_ready(api: httpx.Client, video_ids: list[str], templates: list[int]) -> None:
    def every_video_ready() -> bool | None:
        for video_id in video_ids:
            video = ok(api.get("/video/api/get", params={"id": video_id}))["video"]
            assert video["status"] in (0, 1, 2), video
            play_sets = video["play_set"]
            assert all(p["status"] not in (4, 6, 7) for p in play_sets), play_sets
            if video["status"] != 1 or sorted(p["trans_task_config_temp_id"] for p in play_sets) != templates:
                return None
            if any(p["status"] != 1 for p in play_sets):
                return None
        return True

    wait_for("every video and play set to be ready", every_video_ready, 25)


def stop_all(deployment: Deployment) -> None:
    for worker in deployment.workers:
        worker.process.send_signal(signal.SIGTERM)
    for worker in deployment.workers:
        assert worker.process.wait(timeout=15) == 0, worker.output()
    code, output = deployment.server.stop()
    assert code == 0, output


def test_two_workers_share_the_jobs_of_one_server(deployment: Deployment, tmp_path: Path) -> None:
    workers = [deployment.start_worker(), deployment.start_worker()]
    for worker in workers:
        deployment.wait_consuming(worker)
    api = deployment.server.client()
    assert ok(api.post("/video/api/save_trans_config", json={"task_config_temp_ids": TEMPLATES}))

    video_ids = create_videos(api, tmp_path, VIDEOS)
    wait_all_ready(api, video_ids, TEMPLATES)
    for video_id in video_ids:
        for play_set in ok(api.get("/video/api/get", params={"id": video_id}))["video"]["play_set"]:
            rendition = httpx.get(play_set["url"])
            assert rendition.status_code == 200 and len(rendition.content) == play_set["file_size"] > 0

    def drained() -> bool | None:
        return deployment.stream() == (True, 0) or None  # every entry acknowledged and deleted

    wait_for(f"the stream {deployment.prefix}jobs to be empty", drained, 10)
    stop_all(deployment)
    runs = [worker.runs() for worker in workers]
    assert all(runs), [w.output() for w in workers]  # both workers did work
    every = sorted(r for worker_runs in runs for r in worker_runs)
    expected = sorted([("process_video", v) for v in video_ids] + [("transcode", v) for v in video_ids])
    assert every == expected  # each job ran exactly once


def test_worker_recover_queues_the_job_whose_enqueue_was_lost(deployment: Deployment, tmp_path: Path) -> None:
    api = deployment.server.client()
    kept, lost = create_videos(api, tmp_path, 2)
    client = redis.Redis.from_url(deployment.redis_url, decode_responses=True)
    try:
        entries = cast(list[tuple[str, dict[str, str]]], client.xrange(f"{deployment.prefix}jobs"))
        assert [fields["video_id"] for _, fields in entries] == [kept, lost]
        client.xdel(f"{deployment.prefix}jobs", entries[1][0])  # as if the server died before its XADD
    finally:
        client.close()

    worker = deployment.start_worker("--recover")
    wait_all_ready(api, [kept, lost], [])
    stop_all(deployment)
    output = worker.output()
    assert f"recovered process_video of video {lost}" in output
    assert f"recovered process_video of video {kept}" not in output  # still queued: not queued twice
    assert "recovery queued 1 jobs" in output
    assert sorted(worker.runs()) == sorted([("process_video", kept), ("process_video", lost)])
