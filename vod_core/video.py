"""The video entity and its state machine (API.md "Status tables")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum

from vod_core.errors import IllegalTransition


class VideoStatus(IntEnum):
    INITIAL = 0
    READY = 1
    UPLOADING = 2
    UPLOAD_FAILED = 3
    DELETED = 4


class SharedState(IntEnum):
    PRIVATE = 0
    PASSWORD = 1
    PUBLIC = 2


VIDEO_TRANSITIONS: dict[VideoStatus, frozenset[VideoStatus]] = {
    VideoStatus.INITIAL: frozenset(
        {VideoStatus.UPLOADING, VideoStatus.READY, VideoStatus.UPLOAD_FAILED, VideoStatus.DELETED}
    ),
    VideoStatus.UPLOADING: frozenset({VideoStatus.READY, VideoStatus.UPLOAD_FAILED, VideoStatus.DELETED}),
    VideoStatus.READY: frozenset({VideoStatus.DELETED}),
    VideoStatus.UPLOAD_FAILED: frozenset({VideoStatus.DELETED}),
    VideoStatus.DELETED: frozenset(),
}

MAX_NAME_LENGTH = 255
MAX_SHARE_PASSWORD_LENGTH = 16


@dataclass
class Video:
    """One video of a user's library.

    ``storage_id`` is the uploaded original; ``thumb_storage_id`` the cover.
    URLs are not stored: they are derived from storage ids when presented,
    so a change of the public base URL never leaves stale links behind.
    """

    id: str
    user_id: str
    storage_id: str
    video_name: str
    created_at: datetime
    updated_at: datetime
    source_type: str = ""
    source_id: str = ""
    status: VideoStatus = VideoStatus.INITIAL
    thumb_storage_id: str = ""
    file_size: int = 0
    video_width: int = 0
    video_height: int = 0
    video_duration: int = 0
    shared_state: SharedState = SharedState.PRIVATE
    share_password: str = ""
    skip_auto_trans: bool = False
    failure_reason: str = ""
    """Why the video failed (status 3), one short line for people; "" otherwise."""
    source_url: str = ""
    """The URL the original is downloaded from (upload from URL), "" for an uploaded file."""

    @property
    def is_deleted(self) -> bool:
        return self.status == VideoStatus.DELETED

    def move_to(self, target: VideoStatus, now: datetime) -> None:
        """Change status along an allowed transition, or raise IllegalTransition."""
        if target not in VIDEO_TRANSITIONS[self.status]:
            raise IllegalTransition("video", self.status, target)
        self.status = target
        self.updated_at = now
