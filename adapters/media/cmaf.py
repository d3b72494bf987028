"""Reads the HLS index of a fragmented MP4 the ladder wrote: byte ranges, durations, codecs.

A small ISO BMFF box reader, standard library only. It reads the top-level
box headers of the file plus the ``moov`` and every ``moof`` (a few hundred
bytes each), never the media data. A library (pymp4, construct-based, or
Bento4 via a subprocess) would be a dependency to read eight box types; the
boxes read here are fixed by ISO/IEC 14496-12 and -15 and FFmpeg's writer.

Fragment durations come from the video track's ``trun`` sample durations
(``tfhd``/``trex`` defaults where a sample carries none). The codecs string
is RFC 6381's: ``avc1.PPCCLL`` from the ``avcC`` record (the profile,
constraint flags and level bytes copied from the SPS) and
``mp4a.<object type>.<audio object type>`` from the ``esds`` descriptors.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from typing import BinaryIO

from vod_core.packaging import Fragment, HlsIndex


class NotFragmented(ValueError):
    """The file is not a fragmented MP4 laid out as ``ftyp``, ``moov``, then ``moof`` + ``mdat`` pairs."""


@dataclass(frozen=True)
class _Box:
    kind: str
    offset: int
    size: int
    header: int

    @property
    def end(self) -> int:
        return self.offset + self.size


@dataclass
class _Track:
    track_id: int = 0
    handler: str = ""
    timescale: int = 0
    codec: str = ""
    default_duration: int = 0


@dataclass
class _Run:
    """What a ``moof`` says about one track: samples and their total duration."""

    samples: int = 0
    duration: int = 0


@dataclass
class _Moof:
    box: _Box
    runs: dict[int, _Run] = field(default_factory=dict)


def read_index(path: str) -> HlsIndex:
    """The HLS index of ``path``; raises :class:`NotFragmented` when it has no such layout."""
    with open(path, "rb") as mp4:
        boxes = list(_file_boxes(mp4, os.fstat(mp4.fileno()).st_size))
        if [b.kind for b in boxes[:2]] != ["ftyp", "moov"]:
            raise NotFragmented(f"starts with {[b.kind for b in boxes[:2]]}, not ftyp + moov")
        tracks = _tracks(_payload(mp4, boxes[1]))
        video = next((t for t in tracks.values() if t.handler == "vide"), None)
        if video is None or not video.codec:
            raise NotFragmented("no H.264 video track")
        moofs = [_Moof(b, _moof_runs(_payload(mp4, b), tracks)) for b in boxes if b.kind == "moof"]
    if not moofs:
        raise NotFragmented("no fragments")
    fragments, peak_rate = [], Fraction(0)
    for moof, ends_at in zip(moofs, [*(m.box.offset for m in moofs[1:]), None], strict=True):
        data = [b for b in boxes if b.offset > moof.box.offset and (ends_at is None or b.offset < ends_at)]
        mdats = [b for b in data if b.kind == "mdat"]
        run = moof.runs.get(video.track_id, _Run())
        if not mdats or run.duration <= 0:
            raise NotFragmented(f"the fragment at byte {moof.box.offset} has no video")
        fragments.append(Fragment(moof.box.offset, mdats[-1].end - moof.box.offset, run.duration))
        peak_rate = max(peak_rate, Fraction(run.samples * video.timescale, run.duration))
    codecs = ",".join(t.codec for t in sorted(tracks.values(), key=lambda t: t.handler != "vide") if t.codec)
    return HlsIndex(boxes[1].end, video.timescale, tuple(fragments), codecs, round(float(peak_rate), 3))


def _file_boxes(mp4: BinaryIO, file_size: int) -> Iterator[_Box]:
    """Top-level boxes, reading only their headers."""
    offset = 0
    while offset < file_size:
        mp4.seek(offset)
        box = _header(mp4.read(16), offset, file_size - offset)
        yield box
        offset = box.end


def _header(data: bytes, offset: int, remaining: int) -> _Box:
    if len(data) < 8:
        raise NotFragmented(f"truncated box header at byte {offset}")
    size, kind = struct.unpack_from(">I4s", data)
    header = 8
    if size == 1:
        if len(data) < 16:
            raise NotFragmented(f"truncated box header at byte {offset}")
        (size,) = struct.unpack_from(">Q", data, 8)
        header = 16
    elif size == 0:
        size = remaining
    if size < header or size > remaining:
        raise NotFragmented(f"box of {size} bytes at byte {offset} does not fit")
    return _Box(kind.decode("latin-1"), offset, size, header)


def _payload(mp4: BinaryIO, box: _Box) -> bytes:
    mp4.seek(box.offset + box.header)
    return mp4.read(box.size - box.header)


def _children(data: bytes, start: int = 0, end: int | None = None) -> Iterator[tuple[str, bytes]]:
    """(type, payload) of the boxes inside ``data[start:end]``."""
    end = len(data) if end is None else end
    while start < end:
        box = _header(data[start : start + 16], start, end - start)
        yield box.kind, data[start + box.header : box.end]
        start = box.end


def _child(data: bytes, kind: str) -> bytes:
    return next((payload for found, payload in _children(data) if found == kind), b"")


def _tracks(moov: bytes) -> dict[int, _Track]:
    tracks: dict[int, _Track] = {}
    for kind, payload in _children(moov):
        if kind == "trak":
            track = _track(payload)
            tracks[track.track_id] = track
    for kind, payload in _children(_child(moov, "mvex")):
        if kind == "trex":
            track_id, _, duration = struct.unpack_from(">III", payload, 4)
            if track_id in tracks:
                tracks[track_id].default_duration = duration
    return tracks


def _track(trak: bytes) -> _Track:
    track = _Track()
    tkhd = _child(trak, "tkhd")
    (track.track_id,) = struct.unpack_from(">I", tkhd, 20 if tkhd[0] == 1 else 12)
    mdia = _child(trak, "mdia")
    mdhd = _child(mdia, "mdhd")
    (track.timescale,) = struct.unpack_from(">I", mdhd, 20 if mdhd[0] == 1 else 12)
    track.handler = _child(mdia, "hdlr")[8:12].decode("latin-1")
    stsd = _child(_child(_child(mdia, "minf"), "stbl"), "stsd")
    for kind, entry in _children(stsd, 8):  # after version, flags and entry count
        if kind == "avc1":
            record = _child(entry[78:], "avcC")  # after the visual sample entry's fixed fields
            track.codec = f"avc1.{record[1]:02x}{record[2]:02x}{record[3]:02x}"
        elif kind == "mp4a":
            track.codec = _aac_codec(_child(entry[28:], "esds"))  # after the audio sample entry's fields
        break
    return track


def _descriptor(data: bytes, at: int) -> tuple[int, int, int]:
    """(tag, payload start, payload end) of the MPEG-4 descriptor at ``at``."""
    tag, size, at = data[at], 0, at + 1
    for _ in range(4):
        size = (size << 7) | (data[at] & 0x7F)
        at += 1
        if not data[at - 1] & 0x80:
            break
    return tag, at, at + size


def _aac_codec(esds: bytes) -> str:
    """``mp4a.OO.A``: object type of the decoder config (hex), audio object type (decimal)."""
    if len(esds) < 6:
        return ""
    tag, at, _ = _descriptor(esds, 4)  # after version and flags
    if tag != 0x03:
        return ""
    flags, at = esds[at + 2], at + 3  # after ES_ID and the flags
    at += 2 if flags & 0x80 else 0  # dependsOn_ES_ID
    at += 1 + esds[at] if flags & 0x40 else 0  # URL
    at += 2 if flags & 0x20 else 0  # OCR_ES_Id
    tag, at, _ = _descriptor(esds, at)
    if tag != 0x04:
        return ""
    object_type = esds[at]
    tag, info, _ = _descriptor(esds, at + 13)
    if tag != 0x05:
        return f"mp4a.{object_type:02x}"
    audio_type = esds[info] >> 3
    if audio_type == 31:
        audio_type = 32 + (((esds[info] & 0x07) << 3) | (esds[info + 1] >> 5))
    return f"mp4a.{object_type:02x}.{audio_type}"


def _moof_runs(moof: bytes, tracks: dict[int, _Track]) -> dict[int, _Run]:
    runs: dict[int, _Run] = {}
    for kind, traf in _children(moof):
        if kind != "traf":
            continue
        tfhd = _child(traf, "tfhd")
        flags = int.from_bytes(tfhd[1:4], "big")
        (track_id,) = struct.unpack_from(">I", tfhd, 4)
        default = tracks[track_id].default_duration if track_id in tracks else 0
        if flags & 0x08:
            at = 8 + (8 if flags & 0x01 else 0) + (4 if flags & 0x02 else 0)
            (default,) = struct.unpack_from(">I", tfhd, at)
        run = runs.setdefault(track_id, _Run())
        for found, trun in _children(traf):
            if found == "trun":
                samples, duration = _trun(trun, default)
                run.samples += samples
                run.duration += duration
    return runs


def _trun(trun: bytes, default_duration: int) -> tuple[int, int]:
    """(sample count, total duration) of one track run."""
    flags = int.from_bytes(trun[1:4], "big")
    (count,) = struct.unpack_from(">I", trun, 4)
    at = 8 + (4 if flags & 0x001 else 0) + (4 if flags & 0x004 else 0)
    if not flags & 0x100:
        return count, count * default_duration
    stride = 4 * bin(flags & 0xF00).count("1")
    total = sum(struct.unpack_from(">I", trun, at + i * stride)[0] for i in range(count))
    return count, total
