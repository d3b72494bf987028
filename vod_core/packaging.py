"""How a rendition is packaged for HLS: the byte ranges and durations read from the file itself.

A rendition is one fragmented MP4 (CMAF): an initialisation section
(``ftyp`` + ``moov``) at byte 0, then one fragment (``moof`` + ``mdat``) per
fixed-length GOP, back to back up to the end of the file. The transcoder
measures this from what it wrote; the play set keeps it (as JSON text,
:attr:`vod_core.play_set.PlaySet.hls_index`) so playlists are built from
the database alone (:mod:`vod_core.hls`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction

FORMAT_VERSION = 1
"""Of the JSON text; a reader meeting another version treats the play set as not packaged."""


@dataclass(frozen=True)
class Fragment:
    """One media segment: ``size`` bytes at ``offset``, ``duration`` in the index's timescale."""

    offset: int
    size: int
    duration: int

    @property
    def end(self) -> int:
        return self.offset + self.size


@dataclass(frozen=True)
class HlsIndex:
    """What playlists need of one rendition, measured from the encoded output.

    ``codecs`` is the RFC 6381 list (``avc1.PPCCLL`` from the stream's SPS,
    ``mp4a.40.2`` for AAC-LC); ``frame_rate`` the highest frame rate of any
    fragment. Fragments are contiguous, in file order, and start at or after
    the end of the initialisation section.
    """

    init_size: int
    timescale: int
    fragments: tuple[Fragment, ...]
    codecs: str
    frame_rate: float

    def __post_init__(self) -> None:
        if self.init_size <= 0 or self.timescale <= 0 or not self.fragments or not self.codecs:
            raise ValueError("an HLS index needs an init section, a timescale, fragments and codecs")
        if self.fragments[0].offset < self.init_size:
            raise ValueError("the first fragment overlaps the init section")
        for before, after in zip(self.fragments, self.fragments[1:], strict=False):
            if after.offset != before.end:
                raise ValueError(f"fragments are not contiguous at byte {before.end}")
        if any(f.size <= 0 or f.duration <= 0 for f in self.fragments):
            raise ValueError("every fragment needs bytes and a duration")

    def seconds(self, fragment: Fragment) -> Fraction:
        return Fraction(fragment.duration, self.timescale)

    @property
    def duration(self) -> Fraction:
        """Seconds of video, the sum of the fragments' durations."""
        return Fraction(sum(f.duration for f in self.fragments), self.timescale)

    @property
    def media_end(self) -> int:
        """Byte after the last fragment (the file size)."""
        return self.fragments[-1].end

    @property
    def peak_bandwidth(self) -> int:
        """Bits per second of the densest fragment, rounded up (HLS ``BANDWIDTH``)."""
        return max(_ceil(Fraction(8 * f.size) / self.seconds(f)) for f in self.fragments)

    @property
    def average_bandwidth(self) -> int:
        """Bits per second over all fragments, rounded up (HLS ``AVERAGE-BANDWIDTH``)."""
        media_bytes = sum(f.size for f in self.fragments)
        return _ceil(Fraction(8 * media_bytes) / self.duration)

    def to_json(self) -> str:
        """Compact text: offsets follow from the first one, as fragments are contiguous."""
        return json.dumps(
            {
                "version": FORMAT_VERSION,
                "init_size": self.init_size,
                "timescale": self.timescale,
                "codecs": self.codecs,
                "frame_rate": self.frame_rate,
                "first_offset": self.fragments[0].offset,
                "fragments": [[f.size, f.duration] for f in self.fragments],
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> HlsIndex | None:
        """The index stored by :meth:`to_json`; None for ``""`` (a plain MP4) or another version."""
        if not text:
            return None
        data = json.loads(text)
        if data.get("version") != FORMAT_VERSION:
            return None
        offset = int(data["first_offset"])
        fragments = []
        for size, duration in data["fragments"]:
            fragments.append(Fragment(offset, int(size), int(duration)))
            offset += int(size)
        return cls(
            int(data["init_size"]),
            int(data["timescale"]),
            tuple(fragments),
            str(data["codecs"]),
            float(data["frame_rate"]),
        )


def _ceil(value: Fraction) -> int:
    return -(-value.numerator // value.denominator)
