"""Fake prober, thumbnailer and transcoder for tests: no codecs, instant, scriptable.

A "video" here is a file starting with ``FAKEVIDEO <width> <height> <duration ms>``
(see :func:`fake_video_bytes`); anything else is not a video.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from vod_core.packaging import Fragment, HlsIndex
from vod_core.ports.media import (
    MediaInfo,
    NotAVideo,
    Prober,
    ProgressCallback,
    Rendition,
    RenditionRequest,
    Thumbnailer,
    TranscodeCancelled,
    TranscodeFailed,
    Transcoder,
)
from vod_core.templates import output_size

MAGIC = b"FAKEVIDEO"
FAKE_INIT_SIZE = 16
"""The fake rendition's "init section": its first bytes; the rest is cut into 2 s "fragments"."""


def fake_video_bytes(width: int = 1280, height: int = 720, duration_ms: int = 10_000, padding: int = 64) -> bytes:
    return MAGIC + f" {width} {height} {duration_ms}\n".encode() + b"\0" * padding


def read_header(path: str) -> tuple[int, int, int]:
    with open(path, "rb") as source:
        head = source.read(64)
    if not head.startswith(MAGIC):
        raise NotAVideo("no video stream found")
    width, height, duration = (int(x) for x in head[len(MAGIC) :].split(b"\n", 1)[0].split())
    return width, height, duration


class FakeProber(Prober):
    async def probe(self, path: str) -> MediaInfo:
        width, height, duration = read_header(path)
        return MediaInfo(width, height, duration, os.path.getsize(path))


class FakeThumbnailer(Thumbnailer):
    async def make_cover(self, source_path: str, output_path: str) -> None:
        read_header(source_path)
        Path(output_path).write_bytes(b"\xff\xd8\xff\xe0fake-jpeg\xff\xd9")


class FakeTranscoder(Transcoder):
    """Reports progress in ``steps`` even steps; ``fail_next`` makes the next call fail."""

    def __init__(self, steps: int = 10) -> None:
        self.steps = steps
        self.fail_next = False
        self.calls: list[list[int]] = []

    async def transcode(
        self, source_path: str, requests: Sequence[RenditionRequest], progress: ProgressCallback
    ) -> list[Rendition]:
        self.calls.append([r.template.id for r in requests])
        width, height, duration = read_header(source_path)
        if self.fail_next:
            self.fail_next = False
            raise TranscodeFailed("scripted failure")
        for step in range(1, self.steps + 1):
            if not await progress(step / self.steps):
                raise TranscodeCancelled()
        renditions = []
        for request in requests:
            out_w, out_h = output_size(request.template, width, height)
            Path(request.output_path).write_bytes(fake_video_bytes(out_w, out_h, duration, padding=out_h))
            size = os.path.getsize(request.output_path)
            renditions.append(Rendition(request.output_path, out_w, out_h, duration, size, fake_index(size, duration)))
        return renditions


def fake_index(file_size: int, duration_ms: int) -> HlsIndex:
    """An index over a fake rendition's bytes, as the real transcoder measures one: one fragment per 2 s."""
    count = max(1, min(-(-duration_ms // 2000), file_size - FAKE_INIT_SIZE))
    body = file_size - FAKE_INIT_SIZE
    fragments, offset = [], FAKE_INIT_SIZE
    for i in range(count):
        size = body // count + (1 if i < body % count else 0)
        duration = 2000 if i < count - 1 else max(1, duration_ms - 2000 * i)
        fragments.append(Fragment(offset, size, duration))
        offset += size
    return HlsIndex(FAKE_INIT_SIZE, 1000, tuple(fragments), "avc1.64001f,mp4a.40.2", 30.0)
