"""Covers: a JPEG of the most detailed of a few frames spread over the video."""

from __future__ import annotations

import asyncio
from fractions import Fraction

import av
from av.container import InputContainer
from av.video.frame import VideoFrame
from av.video.stream import VideoStream

from adapters.media.frames import Rotator, clockwise_rotation, open_source
from adapters.media.probe import first_frame
from vod_core.ports.media import Thumbnailer

POSITIONS = (0.1, 0.25, 0.5, 0.75)
"""Where candidates are taken, as fractions of the duration (fade-ins make 0.0 a poor pick)."""

COVER_MAX_SIDE = 1280
PROBE_SIZE = (64, 36)
"""Candidates are compared on this thumbnail: enough to tell a blank frame from a picture."""


def luma_variance(frame: VideoFrame) -> float:
    """Variance of the brightness of a tiny grey copy: near 0 for black, white or flat frames."""
    grey = frame.reformat(width=PROBE_SIZE[0], height=PROBE_SIZE[1], format="gray")
    plane = grey.planes[0]
    data = bytes(plane)
    values = [data[row * plane.line_size + col] for row in range(grey.height) for col in range(grey.width)]
    mean = sum(values) / len(values)
    return sum((v - mean) ** 2 for v in values) / len(values)


def _frame_at(container: InputContainer, stream: VideoStream, seconds: float) -> VideoFrame | None:
    """The first frame at or after ``seconds`` (seeking to the keyframe before it)."""
    if stream.time_base is None:
        return None
    try:
        container.seek(int(seconds / stream.time_base), stream=stream)
        for frame in container.decode(stream):
            if frame.time is None or frame.time >= seconds:
                return frame
    except av.FFmpegError:
        return None
    return None


def pick_frame(container: InputContainer, stream: VideoStream) -> VideoFrame:
    """The candidate with the most luma variance; the first frame when nothing else decodes."""
    best = first_frame(container, stream)
    duration = (container.duration or 0) / 1_000_000
    best_score = luma_variance(best)
    for position in POSITIONS if duration > 0 else ():
        frame = _frame_at(container, stream, position * duration)
        if frame is not None and (score := luma_variance(frame)) > best_score:
            best, best_score = frame, score
    return best


def write_jpeg(frame: VideoFrame, output_path: str) -> None:
    """Encode one picture with FFmpeg's MJPEG encoder (no imaging library needed)."""
    scale = min(1.0, COVER_MAX_SIDE / max(frame.width, frame.height))
    width, height = max(2, round(frame.width * scale / 2) * 2), max(2, round(frame.height * scale / 2) * 2)
    encoder = av.CodecContext.create("mjpeg", "w")
    encoder.width, encoder.height = width, height
    encoder.pix_fmt = "yuvj420p"
    encoder.time_base = frame.time_base or Fraction(1, 25)
    encoder.options = {"qscale": "3"}
    picture = frame.reformat(width=width, height=height, format="yuvj420p")
    packets = encoder.encode(picture) + encoder.encode(None)
    with open(output_path, "wb") as out:
        for packet in packets:
            out.write(bytes(packet))


def write_cover(source_path: str, output_path: str) -> None:
    """Blocking (run it off the event loop): write the cover of ``source_path``."""
    container, stream = open_source(source_path)
    with container:
        stream.thread_type = "AUTO"
        frame = pick_frame(container, stream)
        rotation = clockwise_rotation(frame, stream)
        if rotation:
            frame = Rotator(frame, rotation).upright(frame)
        write_jpeg(frame, output_path)


class PyAVThumbnailer(Thumbnailer):
    """Makes covers on a worker thread: a few seeks and decodes, too short for a process hop."""

    async def make_cover(self, source_path: str, output_path: str) -> None:
        await asyncio.to_thread(write_cover, source_path, output_path)
