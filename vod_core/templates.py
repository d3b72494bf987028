"""Transcode templates (API.md Part B) and the "never upscale" sizing rule."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class TranscodeTemplate:
    """A rendition recipe. ``short_side`` None means "keep the source size"."""

    id: int
    resolution: str
    short_side: int | None
    video_bitrate_kbps: int | None
    audio_bitrate_kbps: int = 128


BUILTIN_TEMPLATES: dict[int, TranscodeTemplate] = {
    t.id: t
    for t in (
        TranscodeTemplate(1, "360P", 360, 500),
        TranscodeTemplate(2, "480P", 480, 1000),
        TranscodeTemplate(3, "720P", 720, 2500),
        TranscodeTemplate(4, "1080P", 1080, 4500),
        TranscodeTemplate(5, "Origin", None, None, 192),
    )
}


def _even(value: float, limit: int) -> int:
    """Nearest even integer to ``value``, at most ``limit`` and at least 2.

    H.264 with 4:2:0 chroma needs even sides; the cap keeps an odd-sized
    source from being upscaled by the rounding.
    """
    nearest = math.floor(value / 2.0 + 0.5) * 2
    return max(2, min(nearest, limit - limit % 2))


def output_size(template: TranscodeTemplate, width: int, height: int) -> tuple[int, int]:
    """Display size of the rendition of a ``width`` x ``height`` source.

    The template's number is the short side, so portrait and landscape
    sources of one resolution get the same quality. A source smaller than
    the template keeps its own size: we never upscale.
    """
    if width <= 0 or height <= 0:
        raise ValueError(f"source size must be positive, got {width}x{height}")
    short = min(width, height)
    if template.short_side is None or short <= template.short_side:
        return _even(width, width), _even(height, height)
    scale = template.short_side / short
    return _even(width * scale, width), _even(height * scale, height)
