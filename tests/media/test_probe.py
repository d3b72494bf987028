"""Probe figures of every kind of source, and the reasons given for files that are not videos."""

from __future__ import annotations

import os

import pytest

from adapters.media import PyAVProber
from tests.media.conftest import CLIPS
from tests.media.factory import tolerance_ms
from vod_core.ports.media import NotAVideo


@pytest.mark.parametrize(
    ("name", "width", "height"),
    [
        ("normal", 160, 90),
        ("no_audio", 160, 90),
        ("odd", 161, 91),
        ("rotated", 90, 160),  # display matrix: a phone's landscape pixels shown portrait
        ("rotate_tag", 90, 160),  # legacy "rotate" tag (Matroska upper-cases it)
        ("vfr", 160, 90),
    ],
)
async def test_probe_reports_display_size_duration_and_file_size(
    clips: dict[str, str], name: str, width: int, height: int
) -> None:
    info = await PyAVProber().probe(clips[name])

    assert (info.width, info.height) == (width, height)
    assert abs(info.duration_ms - CLIPS[name].seconds * 1000) <= tolerance_ms(CLIPS[name])
    assert info.file_size == os.path.getsize(clips[name])


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("text", "cannot read the file as media"),
        ("empty", "cannot read the file as media"),
        ("truncated", "cannot read the file as media"),
        ("garbage_mp4", "cannot read the file as media"),
        ("audio_only", "no video stream"),
    ],
)
async def test_probe_of_a_file_that_is_not_a_video_says_why(broken: dict[str, str], name: str, reason: str) -> None:
    with pytest.raises(NotAVideo, match=reason):
        await PyAVProber().probe(broken[name])
