"""The transcoder on real media: sizes, durations, playability, fast start, rotation, progress, cancel."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

import adapters.media.ladder as ladder_module
from adapters.media import PyAVTranscoder, frames
from adapters.media.ladder import transcode_ladder
from tests.media.checks import bright_corner, decode_all, top_level_boxes
from tests.media.conftest import CLIPS
from tests.media.factory import Clip, frame_times, make_clip
from vod_core.ports.media import RenditionRequest, TranscodeCancelled, TranscodeFailed
from vod_core.templates import BUILTIN_TEMPLATES, output_size

SOURCE_SIZE = {"normal": (160, 90), "no_audio": (160, 90), "odd": (161, 91), "rotated": (90, 160), "vfr": (160, 90)}


def ladder_requests(folder: Path, template_ids: tuple[int, ...] = (1, 2, 3, 4, 5)) -> list[RenditionRequest]:
    return [RenditionRequest(BUILTIN_TEMPLATES[i], str(folder / f"t{i}.mp4")) for i in template_ids]


async def keep_going(_: float) -> bool:
    return True


@pytest.mark.parametrize("name", sorted(SOURCE_SIZE))
async def test_every_template_gives_a_playable_h264_aac_fast_start_mp4_of_the_right_size_and_length(
    transcoder: PyAVTranscoder, clips: dict[str, str], tmp_path: Path, name: str
) -> None:
    requests = ladder_requests(tmp_path)

    renditions = await transcoder.transcode(clips[name], requests, keep_going)

    clip = CLIPS[name]
    source_times = frame_times(clip)
    assert [r.output_path for r in renditions] == [r.output_path for r in requests]
    for request, rendition in zip(requests, renditions, strict=True):
        expected = output_size(request.template, *SOURCE_SIZE[name])
        assert (rendition.width, rendition.height) == expected  # never upscaled, even, aspect kept
        assert rendition.file_size == os.path.getsize(rendition.output_path) > 0
        decoded = decode_all(rendition.output_path)
        assert (decoded.width, decoded.height, decoded.pixel_format) == (*expected, "yuv420p")
        assert decoded.video_codec == "h264"
        assert decoded.audio_codec == ("aac" if clip.audio else None)
        assert len(decoded.frame_times) == len(source_times)
        assert decoded.frame_times == pytest.approx([float(t) for t in source_times], abs=0.002)  # VFR kept
        assert abs(rendition.duration_ms - clip.seconds * 1000) <= 1000 / clip.fps + (24 if clip.audio else 0)
        boxes = top_level_boxes(rendition.output_path)
        assert boxes[:2] == ["ftyp", "moov"]  # fast start: a player knows the tracks from the first bytes
        assert boxes.index("moov") < boxes.index("sidx") < boxes.index("moof") < boxes.index("mdat")  # seekable


async def test_a_rotated_phone_video_is_turned_upright_in_the_pixels(
    transcoder: PyAVTranscoder, clips: dict[str, str], tmp_path: Path
) -> None:
    # The coded picture has its white block top-left; the display matrix turns it 90° clockwise.
    (rendition,) = await transcoder.transcode(clips["marked"], ladder_requests(tmp_path, (5,)), keep_going)

    assert (rendition.width, rendition.height) == (96, 160)
    assert bright_corner(rendition.output_path) == "top-right"


async def test_progress_is_monotonic_reported_at_least_every_5_percent_and_reaches_1(
    transcoder: PyAVTranscoder, clips: dict[str, str], tmp_path: Path
) -> None:
    seen: list[float] = []

    async def record(fraction: float) -> bool:
        seen.append(fraction)
        return True

    await transcoder.transcode(clips["long"], ladder_requests(tmp_path, (1, 2)), record)

    steps = [b - a for a, b in zip([0.0, *seen], seen, strict=False)]
    assert seen == sorted(seen)
    assert max(steps) <= 0.05
    assert seen[-1] == 1.0


async def test_a_false_from_the_progress_callback_cancels_and_removes_partial_outputs(
    transcoder: PyAVTranscoder, clips: dict[str, str], tmp_path: Path
) -> None:
    requests = ladder_requests(tmp_path, (1, 2))

    async def stop(fraction: float) -> bool:
        return fraction < 0.1

    with pytest.raises(TranscodeCancelled):
        await transcoder.transcode(clips["long"], requests, stop)

    assert not any(os.path.exists(r.output_path) for r in requests)


def test_the_worker_stops_mid_file_and_removes_what_it_wrote(clips: dict[str, str], tmp_path: Path) -> None:
    requests = ladder_requests(tmp_path, (1, 5))
    seen: list[float] = []

    def stop_halfway(fraction: float) -> bool:
        seen.append(fraction)
        return fraction < 0.5

    with pytest.raises(TranscodeCancelled):
        transcode_ladder(clips["long"], requests, stop_halfway)

    assert 0.5 <= seen[-1] < 0.6
    assert not any(os.path.exists(r.output_path) for r in requests)


def test_all_renditions_come_from_one_opening_and_decode_of_the_source(
    clips: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    real_open = frames.open_source

    def counting_open(path: str) -> object:
        opened.append(path)
        return real_open(path)

    monkeypatch.setattr(ladder_module, "open_source", counting_open)
    progress: list[float] = []

    def record(fraction: float) -> bool:
        progress.append(fraction)
        return True

    renditions = transcode_ladder(clips["normal"], ladder_requests(tmp_path), record)

    assert opened == [clips["normal"]]
    assert len(renditions) == 5
    assert len(progress) == len(frame_times(CLIPS["normal"])) + 1  # one report per decoded picture, then 1.0


@pytest.mark.parametrize("name", ["text", "truncated", "audio_only"])
async def test_a_source_that_cannot_be_transcoded_fails_with_the_reason_and_leaves_nothing(
    transcoder: PyAVTranscoder, broken: dict[str, str], tmp_path: Path, name: str
) -> None:
    requests = ladder_requests(tmp_path, (1, 2))

    with pytest.raises(TranscodeFailed, match=r"cannot read the file as media|no video stream"):
        await transcoder.transcode(broken[name], requests, keep_going)

    assert os.listdir(tmp_path) == []


async def test_a_source_cut_short_after_its_index_gives_a_shorter_playable_output(
    transcoder: PyAVTranscoder, tmp_path: Path
) -> None:
    whole = tmp_path / "whole.mp4"
    make_clip(str(whole), Clip(width=160, height=90, seconds=4.0, faststart=True))
    data = whole.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])

    (rendition,) = await transcoder.transcode(str(cut), ladder_requests(tmp_path, (1,)), keep_going)

    decoded = decode_all(rendition.output_path)
    assert 0.5 < decoded.frame_times[-1] < 3.5


async def test_a_crashed_worker_fails_the_transcode_and_the_next_one_gets_a_fresh_process(
    transcoder: PyAVTranscoder, clips: dict[str, str], tmp_path: Path
) -> None:
    requests = ladder_requests(tmp_path, (1,))

    async def kill_worker(_: float) -> bool:
        for pid in list(transcoder._pool._processes):  # our own pool's worker: simulate a codec crash
            os.kill(pid, signal.SIGKILL)
        return True

    with pytest.raises(TranscodeFailed, match="the transcoding process died"):
        await transcoder.transcode(clips["long"], requests, kill_worker)
    assert not os.path.exists(requests[0].output_path)

    (rendition,) = await transcoder.transcode(clips["normal"], requests, keep_going)
    assert decode_all(rendition.output_path).video_codec == "h264"
