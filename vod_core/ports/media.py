"""Media ports: probe a source, make a cover, transcode renditions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from vod_core.packaging import HlsIndex
from vod_core.templates import TranscodeTemplate


@dataclass(frozen=True)
class MediaInfo:
    """What a probe learns. Width and height are the display size (rotation applied)."""

    width: int
    height: int
    duration_ms: int
    file_size: int


class NotAVideo(Exception):
    """The file is not a decodable video; the message says why (it is logged)."""


class TranscodeFailed(Exception):
    """The transcoder could not produce the renditions; the message says why."""


class TranscodeCancelled(Exception):
    """The progress callback asked the transcoder to stop."""


@dataclass(frozen=True)
class RenditionRequest:
    template: TranscodeTemplate
    output_path: str


@dataclass(frozen=True)
class Rendition:
    output_path: str
    width: int
    height: int
    duration_ms: int
    file_size: int
    hls: HlsIndex | None = None
    """The CMAF packaging measured from the output; None when it is a plain MP4."""


ProgressCallback = Callable[[float], Awaitable[bool]]
"""Called with the fraction done (0..1); returning False cancels the work."""


class Prober(Protocol):
    async def probe(self, path: str) -> MediaInfo:
        """Raise :class:`NotAVideo` when ``path`` holds no decodable video."""
        ...


class Thumbnailer(Protocol):
    async def make_cover(self, source_path: str, output_path: str) -> None:
        """Write a JPEG cover of a representative (not blank) frame to ``output_path``."""
        ...


class Transcoder(Protocol):
    async def transcode(
        self, source_path: str, requests: Sequence[RenditionRequest], progress: ProgressCallback
    ) -> list[Rendition]:
        """Produce every requested rendition, in request order, from one decode.

        Runs outside the caller's event loop. Raises :class:`TranscodeFailed`
        or :class:`TranscodeCancelled`; partial outputs are removed then.
        """
        ...
