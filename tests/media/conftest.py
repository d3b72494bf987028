"""Clips generated once per session with PyAV (no binary fixtures), and a real transcoder."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import av
import pytest

from adapters.media import PyAVTranscoder
from tests.media.factory import Clip, make_clip, write_tone

CLIPS = {
    "normal": Clip(),
    "no_audio": Clip(audio=False),
    "odd": Clip(width=161, height=91, pix_fmt="yuv444p"),
    "rotated": Clip(rotation=-90),
    "rotate_tag": Clip(rotate_tag="90", container="matroska"),
    "vfr": Clip(vfr=True),
    "black_start": Clip(seconds=2.0, black_frames=12, audio=False),
    "long": Clip(width=320, height=180, seconds=6.0),
    "intra_only": Clip(width=320, height=180, seconds=3.0, intra_only=True),
    "scene_cut": Clip(seconds=3.0, black_frames=36, audio=False),  # black to moving at 1.5 s: x264 would cut there
}
"""Tiny on purpose: the suite must stay fast on two busy cores."""


@pytest.fixture(scope="session")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Path of every clip of CLIPS, plus "marked" (rotated, with a white top-left block)."""
    folder = tmp_path_factory.mktemp("clips")
    paths = {}
    for name, clip in CLIPS.items():
        suffix = "mkv" if clip.container == "matroska" else "mp4"
        paths[name] = str(folder / f"{name}.{suffix}")
        make_clip(paths[name], clip)
    paths["marked"] = str(folder / "marked.mp4")
    make_clip(paths["marked"], Clip(width=160, height=96, rotation=-90, audio=False), marked=True)
    return paths


@pytest.fixture(scope="session")
def broken(tmp_path_factory: pytest.TempPathFactory, clips: dict[str, str]) -> dict[str, str]:
    """Inputs that are not (complete) videos."""
    folder = tmp_path_factory.mktemp("broken")
    normal = Path(clips["normal"]).read_bytes()
    files = {
        "text": b"this is a text file, not a video\n" * 20,
        "empty": b"",
        "truncated": normal[: len(normal) // 2],  # moov comes last: cut in half, the index is gone
        "garbage_mp4": normal[:32] + os.urandom(4096),
    }
    paths = {}
    for name, data in files.items():
        paths[name] = str(folder / f"{name}.mp4")
        Path(paths[name]).write_bytes(data)
    paths["audio_only"] = str(folder / "audio_only.m4a")
    _audio_only(paths["audio_only"])
    return paths


def _audio_only(path: str) -> None:
    with av.open(path, "w", format="mp4") as out:
        write_tone(out, out.add_stream("aac", rate=44100), 1.0)


@pytest.fixture
async def transcoder() -> AsyncIterator[PyAVTranscoder]:
    engine = PyAVTranscoder(max_workers=1)
    yield engine
    await engine.close()
