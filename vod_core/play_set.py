"""The play set (one transcoded rendition) and its state machine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum

from vod_core.errors import IllegalTransition


class PlaySetStatus(IntEnum):
    INITIAL = 0
    READY = 1
    TRANSCODING = 2
    TRANSCODED = 3
    TRANSCODE_FAILED = 4
    UPLOADING = 5
    UPLOAD_FAILED = 6
    DELETED = 7


_S = PlaySetStatus
PLAY_SET_TRANSITIONS: dict[PlaySetStatus, frozenset[PlaySetStatus]] = {
    _S.INITIAL: frozenset({_S.TRANSCODING, _S.TRANSCODE_FAILED, _S.DELETED}),
    _S.TRANSCODING: frozenset({_S.TRANSCODED, _S.TRANSCODE_FAILED, _S.DELETED}),
    _S.TRANSCODED: frozenset({_S.UPLOADING, _S.DELETED}),
    _S.UPLOADING: frozenset({_S.READY, _S.UPLOAD_FAILED, _S.DELETED}),
    _S.READY: frozenset({_S.DELETED}),
    _S.TRANSCODE_FAILED: frozenset({_S.DELETED}),
    _S.UPLOAD_FAILED: frozenset({_S.DELETED}),
    _S.DELETED: frozenset(),
}

UNFINISHED_STATUSES = frozenset({_S.INITIAL, _S.TRANSCODING, _S.TRANSCODED, _S.UPLOADING})

# Progress while work is under way stops short of 1.0: the contract reserves
# exactly 1.0 for a ready play set.
MAX_PROGRESS_BEFORE_READY = 0.99


@dataclass
class PlaySet:
    """One rendition of a video made with one transcode template."""

    id: str
    video_id: str
    user_id: str
    template_id: int
    resolution: str
    created_at: datetime
    updated_at: datetime
    status: PlaySetStatus = PlaySetStatus.INITIAL
    trans_progress: float = 0.0
    storage_id: str = ""
    file_size: int = 0
    video_width: int = 0
    video_height: int = 0
    video_duration: int = 0
    failure_reason: str = ""
    hls_index: str = ""
    """How the rendition is packaged for HLS: :meth:`vod_core.packaging.HlsIndex.to_json` text, or ""
    for a plain MP4 made before packaging existed. Kept as text and parsed only to build playlists,
    so reading play sets for a page of videos never decodes it."""

    @property
    def is_live(self) -> bool:
        """Not deleted: counts for the one-per-template rule and for size sums."""
        return self.status != PlaySetStatus.DELETED

    @property
    def is_unfinished(self) -> bool:
        return self.status in UNFINISHED_STATUSES

    def move_to(self, target: PlaySetStatus, now: datetime) -> None:
        """Change status along an allowed transition, or raise IllegalTransition."""
        if target not in PLAY_SET_TRANSITIONS[self.status]:
            raise IllegalTransition("play set", self.status, target)
        self.status = target
        self.updated_at = now
        if target == PlaySetStatus.READY:
            self.trans_progress = 1.0

    def report_progress(self, fraction: float, now: datetime) -> bool:
        """Record transcoding progress; returns whether the stored value changed.

        Progress never decreases within an attempt and stays below 1.0 until
        the play set is ready, whatever the transcoder reports.
        """
        if self.status != PlaySetStatus.TRANSCODING:
            raise IllegalTransition("play set progress", self.status, self.status)
        bounded = min(max(fraction, 0.0), MAX_PROGRESS_BEFORE_READY)
        if bounded <= self.trans_progress:
            return False
        self.trans_progress = bounded
        self.updated_at = now
        return True
