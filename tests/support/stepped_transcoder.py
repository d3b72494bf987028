"""A fake transcoder driven step by step by the test, to interleave transcodes with other operations."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from adapters.memory.fake_media import fake_video_bytes, read_header
from vod_core.ports.media import (
    ProgressCallback,
    Rendition,
    RenditionRequest,
    TranscodeCancelled,
    TranscodeFailed,
    Transcoder,
)
from vod_core.templates import output_size


@dataclass
class Channel:
    """One running transcode: it waits for commands ("step", "fail", "finish").

    ``waiting`` is set whenever the transcoder is ready for the next command;
    a driver clears it before sending one.
    """

    commands: asyncio.Queue[str] = field(default_factory=asyncio.Queue)
    waiting: asyncio.Event = field(default_factory=asyncio.Event)


class SteppedTranscoder(Transcoder):
    def __init__(self, steps: int = 4) -> None:
        self.steps = steps
        self.channels: list[Channel] = []

    async def transcode(
        self, source_path: str, requests: Sequence[RenditionRequest], progress: ProgressCallback
    ) -> list[Rendition]:
        width, height, duration = read_header(source_path)
        channel = Channel()
        self.channels.append(channel)
        done = 0
        try:
            while True:
                channel.waiting.set()
                command = await channel.commands.get()
                if command == "fail":
                    raise TranscodeFailed("scripted failure")
                if command == "finish":
                    break
                done = min(done + 1, self.steps)
                if not await progress(done / self.steps):
                    raise TranscodeCancelled()
        finally:
            self.channels.remove(channel)
        renditions = []
        for request in requests:
            out_w, out_h = output_size(request.template, width, height)
            Path(request.output_path).write_bytes(fake_video_bytes(out_w, out_h, duration, padding=out_h))
            size = Path(request.output_path).stat().st_size
            renditions.append(Rendition(request.output_path, out_w, out_h, duration, size))
        return renditions
