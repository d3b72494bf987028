"""The video and play set state machines accept exactly the contract's transitions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vod_core.errors import IllegalTransition
from vod_core.play_set import PlaySet, PlaySetStatus
from vod_core.video import Video, VideoStatus

T0 = datetime(2026, 1, 1, tzinfo=UTC)

# Written out from API.md, independently of the tables in the code.
ALLOWED_VIDEO = {(0, 2), (0, 1), (0, 3), (2, 1), (2, 3), (0, 4), (1, 4), (2, 4), (3, 4)}
ALLOWED_PLAY_SET = {(0, 2), (0, 4), (2, 3), (2, 4), (3, 5), (5, 1), (5, 6)} | {(s, 7) for s in range(7)}


def a_video(status: VideoStatus) -> Video:
    return Video("v", "u", "s", "name", T0, T0, status=status)


def a_play_set(status: PlaySetStatus, progress: float = 0.0) -> PlaySet:
    return PlaySet("p", "v", "u", 1, "360P", T0, T0, status=status, trans_progress=progress)


@pytest.mark.parametrize("current", list(VideoStatus))
@pytest.mark.parametrize("target", list(VideoStatus))
def test_video_moves_only_along_the_contract_transitions(current: VideoStatus, target: VideoStatus) -> None:
    video = a_video(current)
    if (current, target) in ALLOWED_VIDEO:
        video.move_to(target, T0)
        assert video.status == target
    else:
        with pytest.raises(IllegalTransition):
            video.move_to(target, T0)
        assert video.status == current


@pytest.mark.parametrize("current", list(PlaySetStatus))
@pytest.mark.parametrize("target", list(PlaySetStatus))
def test_play_set_moves_only_along_the_contract_transitions(current: PlaySetStatus, target: PlaySetStatus) -> None:
    play_set = a_play_set(current)
    if (current, target) in ALLOWED_PLAY_SET:
        play_set.move_to(target, T0)
        assert play_set.status == target
    else:
        with pytest.raises(IllegalTransition):
            play_set.move_to(target, T0)
        assert play_set.status == current


def test_a_deleted_play_set_is_never_revived() -> None:
    play_set = a_play_set(PlaySetStatus.DELETED)
    for target in PlaySetStatus:
        with pytest.raises(IllegalTransition):
            play_set.move_to(target, T0)


@given(st.lists(st.floats(min_value=-1, max_value=2, allow_nan=False), max_size=30))
def test_progress_never_decreases_and_stays_below_one_until_ready(reports: list[float]) -> None:
    play_set = a_play_set(PlaySetStatus.TRANSCODING)
    previous = play_set.trans_progress
    for fraction in reports:
        play_set.report_progress(fraction, T0)
        assert previous <= play_set.trans_progress < 1.0
        previous = play_set.trans_progress
    play_set.move_to(PlaySetStatus.TRANSCODED, T0)
    play_set.move_to(PlaySetStatus.UPLOADING, T0)
    assert play_set.trans_progress < 1.0
    play_set.move_to(PlaySetStatus.READY, T0)
    assert play_set.trans_progress == 1.0


@pytest.mark.parametrize("status", [s for s in PlaySetStatus if s != PlaySetStatus.TRANSCODING])
def test_progress_is_refused_outside_transcoding(status: PlaySetStatus) -> None:
    with pytest.raises(IllegalTransition):
        a_play_set(status).report_progress(0.5, T0)
