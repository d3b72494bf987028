"""Real ``vod worker`` processes over the real Redis and one SQLite database: take-over and sharing."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from adapters.memory.fake_media import FakeTranscoder
from adapters.redis.jobs import GROUP, RedisJobQueue
from adapters.tortoise import sqlite_url
from tests.jobs.helpers import eventually, new_video, user_with_auto_transcode
from tests.jobs.worker_process import arguments, shared_runtime
from vod_core import Vod
from vod_core.play_set import PlaySet, PlaySetStatus

pytestmark = [pytest.mark.redis, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Cluster:
    """The test process's own view (a Vod on the shared database) and a way to start workers."""

    vod: Vod
    jobs: RedisJobQueue
    args: list[str]
    markers: Path
    logs: Path
    processes: list[subprocess.Popen[bytes]]

    def start_worker(self, transcoder: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"worker-{len(self.processes)}.log").open("wb")
        command = [sys.executable, "-m", "tests.jobs.worker_process", *self.args, "--transcoder", transcoder]
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        self.processes.append(process)
        return process

    def log_of(self, process: subprocess.Popen[bytes]) -> str:
        return (self.logs / f"worker-{self.processes.index(process)}.log").read_text()

    async def play_sets(self, video_id: str) -> list[PlaySet]:
        async with self.vod.ctx.uow() as uow:
            return await uow.play_sets.live_for_videos([video_id])

    async def pending(self) -> int:
        return int((await self.jobs.client.xpending(self.jobs.stream, GROUP))["pending"])


@pytest.fixture
def kill_leftovers() -> Iterator[list[subprocess.Popen[bytes]]]:
    processes: list[subprocess.Popen[bytes]] = []
    yield processes
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.fixture
async def cluster(
    tmp_path: Path, redis_url: str, redis_prefix: str, kill_leftovers: list[subprocess.Popen[bytes]]
) -> AsyncIterator[Cluster]:
    url = sqlite_url(str(tmp_path / "data"))
    storage, markers, logs = tmp_path / "storage", tmp_path / "markers", tmp_path / "logs"
    markers.mkdir()
    logs.mkdir()
    args = ["--database", url, "--storage", str(storage), "--redis", redis_url, "--prefix", redis_prefix]
    args += ["--markers", str(markers)]
    async with shared_runtime(arguments().parse_args(args), FakeTranscoder()) as runtime:
        assert runtime.redis_jobs is not None
        yield Cluster(runtime.vod, runtime.redis_jobs, args, markers, logs, kill_leftovers)


async def test_a_killed_workers_transcode_is_taken_over_and_finished_once(cluster: Cluster) -> None:
    doomed = cluster.start_worker("hang")
    user = await user_with_auto_transcode(cluster.vod)
    video_id = await new_video(cluster.vod, user)

    async def mid_transcode() -> bool:
        play_sets = await cluster.play_sets(video_id)
        return (cluster.markers / "hanging").exists() and play_sets[0].trans_progress >= 0.5

    await eventually(mid_transcode, what="the first worker to be half-way through the transcode")
    doomed.send_signal(signal.SIGKILL)
    doomed.wait()
    assert await cluster.pending() == 1  # the dead worker's job, not acknowledged

    rescuer = cluster.start_worker("normal")

    async def ready() -> bool:
        return [p.status for p in await cluster.play_sets(video_id)] == [PlaySetStatus.READY]

    await eventually(ready, what="the play set to be ready")

    async def nothing_pending() -> bool:
        return await cluster.pending() == 0 and await cluster.jobs.client.xlen(cluster.jobs.stream) == 0

    await eventually(nothing_pending, what="the stream to be empty")
    async with cluster.vod.ctx.uow() as uow:
        every = [p for p in await uow.play_sets.live_for_videos([video_id]) if p.template_id == 1]
    assert [p.status for p in every] == [PlaySetStatus.READY]
    rescuer.send_signal(signal.SIGTERM)
    assert rescuer.wait(timeout=15) == 0
    rescue_log = cluster.log_of(rescuer)
    assert "took over 1 idle entries" in rescue_log
    assert f"runs transcode of video {video_id} (attempt 2)" in rescue_log


async def test_two_workers_share_the_jobs(cluster: Cluster) -> None:
    workers = [cluster.start_worker("meet"), cluster.start_worker("meet")]
    user = await user_with_auto_transcode(cluster.vod)
    videos = [await new_video(cluster.vod, user) for _ in range(4)]

    async def all_ready() -> bool:
        for video_id in videos:
            if [p.status for p in await cluster.play_sets(video_id)] != [PlaySetStatus.READY]:
                return False
        return True

    await eventually(all_ready, timeout_s=40, what="every play set to be ready")
    transcoded_by = {marker.name.split("-")[0] for marker in cluster.markers.iterdir()}
    assert transcoded_by == {str(w.pid) for w in workers}
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=15) == 0
        assert "runs transcode of video" in cluster.log_of(worker)
