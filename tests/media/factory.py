"""Test media made with PyAV on the fly: tiny clips with the traits the pipeline must handle."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import av
from av.filter import Graph
from av.video.frame import VideoFrame

RAMP = bytes(range(256)) * 40
"""Rows are slices of this ramp, shifted per row and per frame: cheap, detailed, moving pictures."""


@dataclass(frozen=True)
class Clip:
    """What to generate. ``rotation`` is the display matrix angle (counter-clockwise, as PyAV reads it)."""

    width: int = 160
    height: int = 90
    seconds: float = 1.0
    fps: int = 24
    audio: bool = True
    rotation: int = 0
    rotate_tag: str | None = None
    vfr: bool = False
    black_frames: int = 0
    pix_fmt: str = "yuv420p"
    container: str = "mp4"
    faststart: bool = False
    intra_only: bool = False
    """Every picture a keyframe, as in MJPEG, ProRes or FFmpeg's test patterns."""


def tolerance_ms(clip: Clip) -> float:
    """One video frame, plus one AAC frame (1024 samples) when audio may end after the video."""
    return 1000 / clip.fps + (1024 / 44100 * 1000 if clip.audio else 0)


def picture(width: int, height: int, index: int, pix_fmt: str, black: bool = False) -> VideoFrame:
    """A frame whose luma is a diagonal ramp moving with ``index`` (flat black when ``black``)."""
    frame = VideoFrame(width, height, pix_fmt)
    for plane_index, plane in enumerate(frame.planes):
        rows = plane.height
        line = plane.line_size
        if black:
            value = 16 if plane_index == 0 else 128
            plane.update(bytes([value]) * (line * rows))
            continue
        if plane_index == 0:
            data = b"".join(RAMP[(y * 3 + index * 5) % 256 :][:line].ljust(line, b"\0") for y in range(rows))
        else:
            data = bytes([128]) * (line * rows)
        plane.update(data)
    return frame


def marked_picture(width: int, height: int) -> VideoFrame:
    """Grey frame with a white block in the top-left corner: shows which way is up."""
    frame = VideoFrame(width, height, "yuv420p")
    for plane_index, plane in enumerate(frame.planes):
        line = plane.line_size
        if plane_index:
            plane.update(bytes([128]) * (line * plane.height))
            continue
        block_w, block_h = width // 3, height // 3
        rows = [(bytes([235]) * block_w + bytes([60]) * (line - block_w)) for _ in range(block_h)]
        rows += [bytes([60]) * line for _ in range(plane.height - block_h)]
        plane.update(b"".join(rows))
    return frame


def frame_times(clip: Clip) -> list[Fraction]:
    """Presentation times in seconds; VFR alternates short and long gaps."""
    if not clip.vfr:
        count = round(clip.seconds * clip.fps)
        return [Fraction(i, clip.fps) for i in range(count)]
    times, t, i = [], Fraction(0), 0
    while t < clip.seconds:
        times.append(t)
        t += Fraction(1, clip.fps) if i % 3 else Fraction(3, clip.fps)
        i += 1
    return times


def make_clip(path: str, clip: Clip | None = None, *, marked: bool = False) -> list[Fraction]:
    """Write the clip; returns the frame times (for duration checks)."""
    clip = clip or Clip()
    options = {"movflags": "+faststart"} if clip.faststart else {}
    times = frame_times(clip)
    with av.open(path, "w", format=clip.container, container_options=options) as out:
        x264 = {"preset": "ultrafast"} | ({"g": "1"} if clip.intra_only else {})
        video = out.add_stream("libx264", rate=clip.fps, options=x264)
        video.width, video.height, video.pix_fmt = clip.width, clip.height, clip.pix_fmt
        time_base = Fraction(1, 1000) if clip.vfr else Fraction(1, clip.fps)
        video.codec_context.time_base = time_base
        if clip.rotation:
            video.set_display_rotation(clip.rotation)
        if clip.rotate_tag:
            video.metadata["rotate"] = clip.rotate_tag
        audio = out.add_stream("aac", rate=44100) if clip.audio else None
        if audio is not None:
            audio.layout = "mono"
        for index, t in enumerate(times):
            if marked:
                frame = marked_picture(clip.width, clip.height)
            else:
                frame = picture(clip.width, clip.height, index, clip.pix_fmt, black=index < clip.black_frames)
            frame.pts = round(t / time_base)
            frame.time_base = time_base
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        if audio is not None:
            write_tone(out, audio, clip.seconds)
    return times


def write_tone(out: av.container.OutputContainer, audio: av.audio.stream.AudioStream, seconds: float) -> None:
    samples = round(44100 * seconds)
    wave = bytes((i * 7) % 200 for i in range(2048))
    for start in range(0, samples, 1024):
        frame = av.AudioFrame(format="s16", layout="mono", samples=1024)
        frame.planes[0].update(wave)
        frame.sample_rate = 44100
        frame.pts = start
        frame.time_base = Fraction(1, 44100)
        out.mux(audio.encode(frame))
    out.mux(audio.encode(None))


def make_pattern_clip(path: str, width: int, height: int, seconds: int, fps: int = 30) -> None:
    """A busy H.264 clip (FFmpeg's ``testsrc2``) with a tone: encodes like real footage, not a flat ramp."""
    graph = Graph()
    graph.link_nodes(
        graph.add("testsrc2", f"size={width}x{height}:rate={fps}:duration={seconds}"),
        graph.add("format", "yuv420p"),
        graph.add("buffersink"),
    ).configure()
    with av.open(path, "w", format="mp4") as out:
        video = out.add_stream("libx264", rate=fps, options={"preset": "ultrafast"})
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        audio = out.add_stream("aac", rate=44100)
        while True:
            try:
                out.mux(video.encode(graph.vpull()))
            except (av.BlockingIOError, av.EOFError):
                break
        out.mux(video.encode(None))
        write_tone(out, audio, seconds)
