"""What the client commands print: the server's JSON for scripts (``--json``), rich tables for people.

Results go to stdout; progress bars and errors to stderr, so ``--json`` output stays parseable
while a person still sees the bars.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping
from typing import Any

from rich.console import Console
from rich.table import Table

from entrypoints.client import PlaySet, Video, VideoPage
from vod_core.play_set import PlaySetStatus
from vod_core.video import SharedState, VideoStatus

PIPED_WIDTH = 10_000
"""Output width when stdout is no terminal: whole rows, for grep and less, never wrapped at 80 columns."""

out = Console(highlight=False, width=None if sys.stdout.isatty() else PIPED_WIDTH)
err = Console(stderr=True, highlight=False)


def print_json(document: Mapping[str, Any] | Iterable[Any]) -> None:
    """One JSON document on one line (``print``, not rich: no markup, no wrapping)."""
    print(json.dumps(document, ensure_ascii=False, separators=(",", ":")), flush=True)


def status_name(video: Video) -> str:
    return _name(VideoStatus, video.status)


def play_set_summary(play_set: PlaySet) -> str:
    if play_set.status in (PlaySetStatus.INITIAL, PlaySetStatus.TRANSCODING):
        return f"{play_set.resolution} {play_set.trans_progress:.0%}"
    return f"{play_set.resolution} {_name(PlaySetStatus, play_set.status)}"


def size_text(size: int) -> str:
    amount = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if amount < 1024 or unit == "GiB":
            return f"{amount:.0f} {unit}" if unit == "B" else f"{amount:.1f} {unit}"
        amount /= 1024
    raise AssertionError("unreachable: the loop returns at GiB")


def duration_text(milliseconds: int) -> str:
    seconds = milliseconds // 1000
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def video_table(page: VideoPage) -> None:
    table = Table("ID", "NAME", "STATUS", "SIZE", "DURATION", "PIXELS", "PLAY SETS", "CREATED", box=None)
    for video in page.videos:
        table.add_row(
            video.id,
            video.video_name,
            status_name(video),
            size_text(video.file_size),
            duration_text(video.video_duration),
            f"{video.video_width}x{video.video_height}",
            ", ".join(play_set_summary(p) for p in video.play_sets),
            video.created_at,
        )
    out.print(table)
    out.print(f"{len(page.videos)} shown of {page.count}")


def video_details(video: Video) -> None:
    facts = Table(box=None, show_header=False)
    facts.add_column()
    facts.add_column(overflow="fold")  # URLs whole (folded, not cut with an ellipsis): people copy them
    facts.add_row("id", video.id)
    facts.add_row("name", video.video_name)
    facts.add_row("status", status_name(video))
    if video.failure_reason:
        facts.add_row("failure", video.failure_reason)
    facts.add_row("created", video.created_at)
    facts.add_row("size", size_text(video.file_size))
    facts.add_row("duration", duration_text(video.video_duration))
    facts.add_row("pixels", f"{video.video_width}x{video.video_height}")
    facts.add_row("shared", _name(SharedState, video.shared_state))
    facts.add_row("url", video.origin_url)
    out.print(facts)
    if video.play_sets:
        sets = Table("PLAY SET", "TEMPLATE", "STATUS", box=None)
        sets.add_column("URL", overflow="fold")
        for play_set in video.play_sets:
            status = play_set_summary(play_set) + (f": {play_set.failure_reason}" if play_set.failure_reason else "")
            sets.add_row(play_set.play_set_id, str(play_set.template_id), status, play_set.url)
        out.print(sets)


def _name(kind: type[VideoStatus] | type[PlaySetStatus] | type[SharedState], value: int) -> str:
    try:
        return kind(value).name.lower().replace("_", " ")
    except ValueError:
        return str(value)
