"""Scale-out on object storage: ``vod serve`` and two ``vod worker`` processes that share nothing on disk (API.md C2).

Every process has its own data directory, with its own ``TMPDIR`` inside it
(on separate machines ``/tmp`` is not shared either, and so the walk at the
end sees temp files too). They meet only in PostgreSQL (a database of this
test alone), Redis (a key prefix of this test alone) and an S3 bucket of
this test alone on moto's server, which the test reads independently of our
adapter (``tests/support/s3.py``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from entrypoints.bootstrap import CACHE_DIR
from tests.e2e.conftest import wait_for
from tests.e2e.deployment import Deployment, Worker, deploy, ok
from tests.media.factory import Clip, make_clip
from tests.support.s3 import S3Server

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

PREFIX = "media/"
TEMPLATES = [1, 2]  # 360P and 480P: two renditions of the 640x360 clip, one job each
TAKEOVER_S = 5
"""VOD_JOB_TAKEOVER: the killed worker's job is taken over after this many idle seconds (default 60)."""


def own_disk(data_dir: Path) -> dict[str, str]:
    """The settings that give a process its own disk: its data directory, its temp directory inside it."""
    (data_dir / "tmp").mkdir(parents=True)
    return {"VOD_DATA_DIR": str(data_dir), "TMPDIR": str(data_dir / "tmp")}


@pytest.fixture
def deployment(
    tmp_path: Path, database_url: str, redis_url: str, redis_prefix: str, s3_server: S3Server, s3_bucket: str
) -> Iterator[Deployment]:
    settings = {
        **s3_server.environment(s3_bucket, PREFIX),
        **own_disk(tmp_path / "serve"),
        "VOD_JOB_TAKEOVER": str(TAKEOVER_S),
    }
    data_dir = Path(settings.pop("VOD_DATA_DIR"))
    with deploy(data_dir, tmp_path / "logs", database_url, redis_url, redis_prefix, **settings) as running:
        yield running


def storage_id(url: str) -> str:
    """The storage id of a ``/files/<id>[.ext]?<signature>`` URL (the cover's: the video has no field for it)."""
    name = urlsplit(url).path.rsplit("/", 1)[1]
    return name.split(".", 1)[0]


def object_key(sid: str) -> str:
    return f"{PREFIX}objects/{sid}"


def transcode_outputs(worker: Worker) -> list[Path]:
    """Renditions being written in the worker's temp directory (``<tmp>/vod-transcode-<pid>-*/<play set>.mp4``)."""
    return sorted(Path(worker.env["TMPDIR"]).glob("vod-transcode-*/*.mp4"))


def files_outside_caches(data_dirs: list[Path], caches: list[Path]) -> list[Path]:
    """Every regular file under the data directories, except in the workers' source caches.

    Regular files: what holds bytes. A SIGKILLed process also leaves the
    Unix socket multiprocessing listened on (``<tmp>/pymp-*/listener-*``),
    which is named without its pid, so no sweep can tell whose it is.
    """
    found = []
    for data_dir in data_dirs:
        for root, _, names in os.walk(data_dir):
            if not any(Path(root).is_relative_to(c) for c in caches):
                found += [Path(root, n) for n in names if Path(root, n).is_file()]
    return found


def test_serve_and_two_workers_share_nothing_on_disk_and_lose_nothing_when_a_worker_is_killed(
    deployment: Deployment, tmp_path: Path, s3_server: S3Server, s3_bucket: str
) -> None:
    machines = [tmp_path / "worker-a", tmp_path / "worker-b"]
    workers = [deployment.start_worker(**own_disk(machine)) for machine in machines]
    for worker in workers:
        deployment.wait_consuming(worker)
    api = deployment.server.client()

    clip = tmp_path / "clip.mp4"
    make_clip(str(clip), Clip(width=640, height=360, seconds=40.0))
    source = clip.read_bytes()
    origin = ok(api.post("/storage/api/upload", params={"filename": "clip.mp4"}, content=source))["storage_id"]
    assert s3_server.read(s3_bucket, object_key(origin)) == source
    notes = os.urandom(70_000)  # a stored file no video uses: it outlives the video
    kept = ok(api.post("/storage/api/upload", files={"file": ("notes.bin", notes)}))["storage_id"]
    assert s3_server.read(s3_bucket, object_key(kept)) == notes
    video_id = ok(api.post("/video/api/create", json={"storage_id": origin}))["id"]

    def video() -> dict[str, Any]:
        found: dict[str, Any] = ok(api.get("/video/api/get", params={"id": video_id}))["video"]
        return found

    wait_for("the video to be ready", lambda: True if video()["status"] == 1 else None, 30)
    for template in TEMPLATES:
        ok(api.post("/video/api/trans", params={"id": video_id}, json={"task_config_temp_id": template}))

    # SIGKILL the first worker seen writing a rendition: its job stays pending in Redis.
    def mid_transcode() -> tuple[Worker, list[Path]] | None:
        for worker in workers:
            outputs = transcode_outputs(worker)
            if "runs transcode" in worker.output() and outputs:
                return worker, outputs
        return None

    victim, outputs = wait_for("a worker to write a rendition", mid_transcode, 30)
    victim.kill()
    interrupted = {p.stem for p in outputs}  # the play set ids of the renditions it was writing
    statuses = {p["play_set_id"]: p["status"] for p in video()["play_set"]}
    assert all(statuses[p] == 2 for p in interrupted), f"the transcode ended before the kill: {statuses}"
    leftovers = sorted({p.parent for p in outputs})
    assert all(d.is_dir() for d in leftovers)

    # The killed worker's machine comes back: its start-up sweep removes the dead process's temp outputs.
    restarted = deployment.restart(victim)
    deployment.wait_consuming(restarted)
    assert not [d for d in leftovers if d.exists()], "the restarted worker left the killed one's temp outputs"

    def every_play_set_ready() -> bool | None:
        play_sets = video()["play_set"]
        assert all(p["status"] not in (4, 6, 7) for p in play_sets), play_sets
        done = sorted(p["trans_task_config_temp_id"] for p in play_sets if p["status"] == 1)
        return done == TEMPLATES or None

    wait_for("every play set to be ready", every_play_set_ready, 45 + 2 * TAKEOVER_S)
    survivors = [w for w in deployment.workers if w is not victim]
    takeovers = [
        m for w in survivors for m in w.output().splitlines() if f"transcode of video {video_id} (attempt 2)" in m
    ]
    assert len(takeovers) == 1, [w.output() for w in survivors]

    # Playback through `vod serve`: every byte comes from the bucket.
    ready = video()
    assert httpx.get(ready["origin_url"]).content == source
    renditions = [p["storage_id"] for p in ready["play_set"]]
    for play_set, sid in zip(ready["play_set"], renditions, strict=True):
        stored = s3_server.read(s3_bucket, object_key(sid))
        assert len(stored) == play_set["file_size"] > 0
        full = httpx.get(play_set["url"])
        assert full.status_code == 200 and full.content == stored
        first, last = len(stored) // 3, len(stored) // 3 + 9_999
        part = httpx.get(play_set["url"], headers={"Range": f"bytes={first}-{last}"})
        assert part.status_code == 206, part.text
        assert part.headers["content-range"] == f"bytes {first}-{last}/{len(stored)}"
        assert part.content == stored[first : last + 1]

    # The bucket holds exactly the live objects, and no multipart upload was left unfinished.
    cover = storage_id(ready["thumb_url"])
    video_files = [origin, cover, *renditions]
    assert sorted(s3_server.keys(s3_bucket)) == sorted(object_key(s) for s in [*video_files, kept])
    assert s3_server.multipart_uploads(s3_bucket) == []
    caches = [machine / CACHE_DIR for machine in machines]
    cached = [p for cache in caches for p in cache.rglob("*") if p.is_file()]
    assert {p.name for p in cached} == {origin}  # sources only, never what a worker made
    assert all(p.read_bytes() == source for p in cached)

    ok(api.post("/video/api/delete", params={"id": video_id}))
    assert httpx.get(ready["play_set"][0]["url"]).status_code == 404
    listed = {
        sid for sid in [*video_files, kept] if api.get("/storage/api/get", params={"id": sid}).json()["errcode"] == 1000
    }
    assert listed == {kept}
    assert s3_server.keys(s3_bucket) == [object_key(kept)]
    assert s3_server.multipart_uploads(s3_bucket) == []

    deployment.stop_all()
    data_dirs = [deployment.server.data_dir, *machines]
    assert files_outside_caches(data_dirs, caches) == []
