"""Probing: display size, duration and size of a source, or why it is not a video."""

from __future__ import annotations

import asyncio
import os

import av
from av.container import InputContainer
from av.video.frame import VideoFrame
from av.video.stream import VideoStream

from adapters.media.frames import clockwise_rotation, display_size, media_error, open_source
from vod_core.ports.media import MediaInfo, NotAVideo, Prober

MAX_PACKETS_TO_FIRST_FRAME = 500
"""A decodable video yields its first picture long before this many packets."""


def first_frame(container: InputContainer, stream: VideoStream) -> VideoFrame:
    """Decode the first picture; a file whose video cannot be decoded is NotAVideo."""
    try:
        for count, packet in enumerate(container.demux(stream)):
            for frame in packet.decode():
                if isinstance(frame, VideoFrame):
                    return frame
            if count >= MAX_PACKETS_TO_FIRST_FRAME:
                break
    except av.FFmpegError as exc:
        raise NotAVideo(f"the video stream cannot be decoded ({media_error(exc)})") from exc
    raise NotAVideo("the video stream has no decodable picture")


def duration_ms(container: InputContainer, stream: VideoStream) -> int:
    """Duration from the container header, else the stream's, else the demuxed timestamps."""
    if container.duration:
        return int(container.duration // 1000)
    if stream.duration and stream.time_base:
        return int(stream.duration * stream.time_base * 1000)
    return _duration_from_packets(container, stream)


def _duration_from_packets(container: InputContainer, stream: VideoStream) -> int:
    container.seek(0)
    end = 0.0
    for packet in container.demux(stream):
        if packet.pts is not None and packet.time_base:
            end = max(end, float((packet.pts + (packet.duration or 0)) * packet.time_base))
    return int(end * 1000)


def probe_file(path: str) -> MediaInfo:
    """Blocking probe (run it off the event loop)."""
    container, stream = open_source(path)
    with container:
        frame = first_frame(container, stream)
        width, height = display_size(frame, clockwise_rotation(frame, stream))
        duration = duration_ms(container, stream)
    if duration <= 0:
        raise NotAVideo("the video has no duration")
    return MediaInfo(width, height, duration, os.path.getsize(path))


class PyAVProber(Prober):
    """Probes on a worker thread: PyAV releases the GIL, the event loop keeps running."""

    async def probe(self, path: str) -> MediaInfo:
        return await asyncio.to_thread(probe_file, path)
