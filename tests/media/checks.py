"""Inspecting outputs: decode to the end, read the MP4 box order, find the marked corner."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

import av
from av.audio.frame import AudioFrame
from av.video.frame import VideoFrame


@dataclass
class Decoded:
    """Everything a player would notice, gathered by decoding every frame."""

    video_codec: str
    audio_codec: str | None
    width: int = 0
    height: int = 0
    pixel_format: str = ""
    frame_times: list[float] = field(default_factory=list)
    audio_seconds: float = 0.0


def decode_all(path: str) -> Decoded:
    """Decode the whole file (raises if it is not playable to the end)."""
    with av.open(path) as container:
        video = container.streams.video[0]
        audio = container.streams.audio[0] if container.streams.audio else None
        result = Decoded(video.codec_context.name, audio.codec_context.name if audio else None)
        streams = [video] + ([audio] if audio else [])
        for frame in container.decode(*streams):
            if isinstance(frame, VideoFrame):
                result.width, result.height, result.pixel_format = frame.width, frame.height, frame.format.name
                result.frame_times.append(float(frame.time or 0.0))
            elif isinstance(frame, AudioFrame):
                result.audio_seconds += frame.samples / frame.sample_rate
    return result


def top_level_boxes(path: str) -> list[str]:
    """The MP4's top-level box types in file order."""
    return [kind for kind, _, _ in box_layout(path)]


def box_layout(path: str) -> list[tuple[str, int, int]]:
    """The MP4's top-level boxes in file order: (type, offset, size)."""
    boxes = []
    with open(path, "rb") as mp4:
        while header := mp4.read(8):
            offset = mp4.tell() - 8
            size, kind = struct.unpack(">I4s", header)
            if size == 1:
                size = struct.unpack(">Q", mp4.read(8))[0]
            boxes.append((kind.decode("latin-1"), offset, size))
            mp4.seek(offset + size)
    return boxes


def nal_types(packet: bytes) -> list[int]:
    """NAL unit types of an H.264 sample in MP4 form (4-byte lengths before each unit)."""
    types, at = [], 0
    while at + 4 < len(packet):
        length = int.from_bytes(packet[at : at + 4], "big")
        types.append(packet[at + 4] & 0x1F)
        at += 4 + length
    return types


def bright_corner(path: str) -> str:
    """Which corner of the first picture is brightest: "top-left", "top-right", ..."""
    with av.open(path) as container:
        frame = next(container.decode(video=0))
    grey = frame.reformat(width=4, height=4, format="gray")
    plane = grey.planes[0]
    data = bytes(plane)

    def luma(x: int, y: int) -> int:
        return data[y * plane.line_size + x]

    corners = {"top-left": luma(0, 0), "top-right": luma(3, 0), "bottom-left": luma(0, 3), "bottom-right": luma(3, 3)}
    return max(corners, key=lambda name: corners[name])
