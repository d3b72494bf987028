"""Per-user settings: auto-transcode templates and event callbacks."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class EventCategory(StrEnum):
    """The seed's ``user_event_config`` categories."""

    VIDEO = "video"
    TRANSCODING = "transcoding"


@dataclass
class UserSettings:
    """``webhook_secret`` signs every callback of the user (X-VOD-Signature)."""

    user_id: str
    webhook_secret: str
    auto_trans_template_ids: list[int] = field(default_factory=list)
    callbacks: dict[EventCategory, str] = field(default_factory=dict)
