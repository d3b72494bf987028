"""Frame helpers shared by probe, cover and transcode: display rotation and source opening."""

from __future__ import annotations

from fractions import Fraction
from typing import ClassVar

import av
from av.container import InputContainer
from av.filter import Graph
from av.video.frame import VideoFrame
from av.video.stream import VideoStream

from vod_core.ports.media import NotAVideo

_STILL_IMAGE_FORMATS = ("image2", "_pipe", "gif")
"""Demuxers of pictures: a JPEG or PNG opens like a one-frame video but is not one."""


def media_error(exc: BaseException) -> str:
    """FFmpeg's own words for a failure, without the file path its message carries (it reaches users)."""
    strerror = getattr(exc, "strerror", None)
    return str(strerror) if strerror else type(exc).__name__


def open_source(path: str) -> tuple[InputContainer, VideoStream]:
    """Open ``path`` and pick its video stream; NotAVideo (with the reason) otherwise."""
    try:
        container = av.open(path, "r")
    except (av.FFmpegError, UnicodeDecodeError) as exc:
        raise NotAVideo(f"cannot read the file as media ({media_error(exc)})") from exc
    if not container.streams.video:
        container.close()
        raise NotAVideo("no video stream")
    if any(part in container.format.name for part in _STILL_IMAGE_FORMATS):
        container.close()
        raise NotAVideo(f"a still image ({container.format.name})")
    return container, container.streams.video[0]


def clockwise_rotation(frame: VideoFrame, stream: VideoStream) -> int:
    """Degrees (0/90/180/270) the decoded picture must turn clockwise to be shown upright.

    Phones record landscape pixels plus a display matrix (read back on the
    frame as a counter-clockwise angle); older files carry a ``rotate`` tag
    (clockwise) instead. Mirrored matrices are treated as their rotation.
    """
    degrees = -frame.rotation if frame.rotation else _rotate_tag(stream)
    return round(degrees / 90) * 90 % 360


def _rotate_tag(stream: VideoStream) -> int:
    """The legacy ``rotate`` tag, whatever case the demuxer gives it (Matroska upper-cases tags)."""
    tags = {key.lower(): value for key, value in stream.metadata.items()}
    try:
        return int(float(tags.get("rotate", "0")))
    except ValueError:
        return 0


def display_size(frame: VideoFrame, rotation: int) -> tuple[int, int]:
    """Width and height as shown, once ``rotation`` (clockwise degrees) is applied."""
    if rotation in (90, 270):
        return frame.height, frame.width
    return frame.width, frame.height


class Rotator:
    """Turns decoded frames upright with FFmpeg's ``transpose`` filters (pixels, not metadata).

    Rotating the pixels once after decoding keeps every rendition upright in
    players that ignore display matrices, and lets every rung scale an
    already-upright picture.
    """

    _FILTERS: ClassVar[dict[int, tuple[tuple[str, str | None], ...]]] = {
        90: (("transpose", "clock"),),
        180: (("hflip", None), ("vflip", None)),
        270: (("transpose", "cclock"),),
    }

    def __init__(self, first: VideoFrame, rotation: int) -> None:
        self._graph = Graph()
        time_base = first.time_base or Fraction(1, 90000)
        source = self._graph.add_buffer(
            width=first.width, height=first.height, format=first.format, time_base=time_base
        )
        nodes = [source]
        nodes += [self._graph.add(name, args) for name, args in self._FILTERS[rotation]]
        nodes.append(self._graph.add("buffersink"))
        self._graph.link_nodes(*nodes).configure()

    def upright(self, frame: VideoFrame) -> VideoFrame:
        self._graph.vpush(frame)
        return self._graph.vpull()
