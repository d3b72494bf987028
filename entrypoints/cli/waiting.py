"""Poll ``/video/api/get`` until videos reach a condition, with a probe bar and one bar per play set."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from rich.progress import BarColumn, Progress, TaskID, TaskProgressColumn, TextColumn, TimeElapsedColumn

from entrypoints.cli.display import err, play_set_summary, status_name
from entrypoints.client import Video, VodClient
from entrypoints.client.api import ClientError
from vod_core.video import VideoStatus

POLL_S = 1.0
"""Seconds between two looks at a video: the service has no push channel for clients."""


def probed(video: Video) -> bool:
    """Past probing: ready, failed or deleted (a transcode can start only then)."""
    return video.status not in (VideoStatus.INITIAL, VideoStatus.UPLOADING)


def settled(video: Video) -> bool:
    return video.settled


def watch(
    client: VodClient,
    video_ids: Sequence[str],
    until: Callable[[Video], bool],
    *,
    show: bool,
    timeout_s: float | None = None,
) -> list[Video]:
    """The videos once each satisfies ``until``, in the order of ``video_ids``; ``ClientError`` on timeout."""
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, disable=not show) as progress:
        bars = _Bars(progress)
        reached: dict[str, Video] = {}
        while True:
            for video_id in video_ids:
                if video_id not in reached:
                    video = client.get_video(video_id)
                    bars.show(video)
                    if until(video):
                        reached[video_id] = video
            if len(reached) == len(video_ids):
                return [reached[i] for i in video_ids]
            if deadline is not None and time.monotonic() > deadline:
                waiting = ", ".join(i for i in video_ids if i not in reached)
                raise ClientError(f"timed out after {timeout_s:g} s waiting for {waiting}")
            time.sleep(POLL_S)


class _Bars:
    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def show(self, video: Video) -> None:
        self._bar(f"{video.id} probe", f"{video.id} probe: {status_name(video)}", 1.0, 0.0 if not probed(video) else 1)
        for play_set in video.play_sets:
            done = 1.0 if play_set.ready or play_set.failed else play_set.trans_progress
            label = f"{video.id} {play_set_summary(play_set)}"
            self._bar(play_set.play_set_id, label, 1.0, done)

    def _bar(self, key: str, description: str, total: float, completed: float) -> None:
        if key not in self.tasks:
            self.tasks[key] = self.progress.add_task(description, total=total)
        self.progress.update(self.tasks[key], description=description, completed=completed)
