"""Scale-out with real processes: one ``vod serve`` and ``vod worker`` processes over PostgreSQL and Redis.

Every process shares the data directory, a database of this test alone and
a Redis key prefix of this test alone (``VOD_REDIS_PREFIX``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import cast

import httpx
import pytest
import redis

from tests.e2e.conftest import wait_for
from tests.e2e.deployment import Deployment, deploy, ok
from tests.media.factory import Clip, make_clip

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

VIDEOS = 4
TEMPLATES = [1, 2]  # 360P and 480P; the 160x90 clips are never upscaled


@pytest.fixture
def deployment(tmp_path: Path, database_url: str, redis_url: str, redis_prefix: str) -> Iterator[Deployment]:
    with deploy(tmp_path / "data", tmp_path / "logs", database_url, redis_url, redis_prefix) as running:
        yield running


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
    deployment.stop_all()
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
    deployment.stop_all()
    output = worker.output()
    assert f"recovered process_video of video {lost}" in output
    assert f"recovered process_video of video {kept}" not in output  # still queued: not queued twice
    assert "recovery queued 1 jobs" in output
    assert sorted(worker.runs()) == sorted([("process_video", kept), ("process_video", lost)])
