"""A ``vod worker`` process for the tests: the real consumer over a shared SQLite file and storage dir.

Media is fake (see ``adapters.memory.fake_media``) with a transcoder chosen
by ``--transcoder``:

- ``normal``: finishes at once;
- ``hang``: reports 50 % progress, touches ``<markers>/hanging``, then
  never finishes (the test kills the process);
- ``meet``: touches ``<markers>/<pid>-<n>`` and waits until a transcode of
  another process has started too, so jobs must be shared to finish.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import time
from collections.abc import Sequence
from pathlib import Path

from adapters.memory.fake_media import FakeProber, FakeThumbnailer, FakeTranscoder
from adapters.redis.streams import Timing
from adapters.storage.local import LocalStorage
from entrypoints.bootstrap import Runtime, bootstrap
from entrypoints.config import Config
from entrypoints.worker import run_worker
from vod_core.ports.media import ProgressCallback, Rendition, RenditionRequest, TranscodeFailed, Transcoder

TEST_TIMING = Timing(min_idle_ms=500, claim_every_s=0.1, block_ms=100)
MEET_TIMEOUT_S = 30.0


class HangingTranscoder(FakeTranscoder):
    def __init__(self, markers: Path) -> None:
        super().__init__()
        self._markers = markers

    async def transcode(
        self, source_path: str, requests: Sequence[RenditionRequest], progress: ProgressCallback
    ) -> list[Rendition]:
        await progress(0.5)
        (self._markers / "hanging").touch()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


class MeetingTranscoder(FakeTranscoder):
    def __init__(self, markers: Path) -> None:
        super().__init__()
        self._markers = markers

    def _others_started(self) -> bool:
        return any(not m.name.startswith(f"{os.getpid()}-") for m in self._markers.iterdir())

    async def transcode(
        self, source_path: str, requests: Sequence[RenditionRequest], progress: ProgressCallback
    ) -> list[Rendition]:
        (self._markers / f"{os.getpid()}-{len(self.calls)}").touch()
        deadline = time.monotonic() + MEET_TIMEOUT_S
        while not self._others_started():
            if time.monotonic() > deadline:
                raise TranscodeFailed("no other worker started a transcode")
            await asyncio.sleep(0.05)
        return await super().transcode(source_path, requests, progress)


def transcoder_for(kind: str, markers: Path) -> Transcoder:
    if kind == "hang":
        return HangingTranscoder(markers)
    if kind == "meet":
        return MeetingTranscoder(markers)
    return FakeTranscoder()


def shared_runtime(args: argparse.Namespace, transcoder: Transcoder) -> Runtime:
    """The wiring the test process and the worker processes share: a real database and queue, fake media."""
    return bootstrap(
        Config(database_url=args.database, redis_url=args.redis, redis_prefix=args.prefix),
        storage=LocalStorage(args.storage),
        prober=FakeProber(),
        thumbnailer=FakeThumbnailer(),
        transcoder=transcoder,
    )


def arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    for option in ("--database", "--storage", "--redis", "--prefix", "--markers"):
        parser.add_argument(option, required=True)
    parser.add_argument("--transcoder", choices=["normal", "hang", "meet"], default="normal")
    return parser


async def main(args: argparse.Namespace) -> None:
    runtime = shared_runtime(args, transcoder_for(args.transcoder, Path(args.markers)))
    await runtime.open(migrate=False)
    try:
        assert runtime.redis_jobs is not None
        await run_worker(runtime.vod, runtime.redis_jobs, timing=TEST_TIMING)
    finally:
        await runtime.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(process)d %(name)s %(message)s")
    asyncio.run(main(arguments().parse_args()))
