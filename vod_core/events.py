"""Events the service announces (seed: 消息通知) and their outbox records.

Payloads carry the seed's fields, and ``failure_reason`` (API.md C3; always
"" in these "ready" events, kept for one shape with the API's objects). They are built when the state
change happens and stored with it (outbox), so a restart loses none; their
media URLs are signed then, valid for ``VOD_URL_TTL`` from that moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from typing import Any

from vod_core.hls import master_url
from vod_core.play_set import PlaySet
from vod_core.ports.links import MediaLinks
from vod_core.settings import EventCategory
from vod_core.signing import UrlGrant
from vod_core.video import Video

VIDEO_READY = "video_ready"
PLAY_SET_READY = "video_play_set_ready"

EVENT_CATEGORIES: dict[str, EventCategory] = {
    VIDEO_READY: EventCategory.VIDEO,
    PLAY_SET_READY: EventCategory.TRANSCODING,
}


def _play_set_fields(play_set: PlaySet, links: MediaLinks, grant: UrlGrant) -> dict[str, Any]:
    return {
        "play_set_id": play_set.id,
        "trans_task_config_temp_id": play_set.template_id,
        "resolution": play_set.resolution,
        "url": links.file_url(play_set.storage_id, grant) if play_set.storage_id else "",
        "file_size": play_set.file_size,
        "video_width": play_set.video_width,
        "video_height": play_set.video_height,
        "video_duration": play_set.video_duration,
        "failure_reason": play_set.failure_reason,
    }


def video_ready_payload(video: Video, play_sets: list[PlaySet], links: MediaLinks, grant: UrlGrant) -> dict[str, Any]:
    """``play_sets``: the renditions the user's auto-transcode configuration started (all the video has).

    ``hls_url`` is the video's master playlist, ``""`` while none of them is ready.
    """
    return {
        "event_type": VIDEO_READY,
        "video_id": video.id,
        "storage_id": video.storage_id,
        "source_type": video.source_type,
        "source_id": video.source_id,
        "url_origin": links.file_url(video.storage_id, grant),
        "thumb_url": links.file_url(video.thumb_storage_id, grant) if video.thumb_storage_id else "",
        "file_size": video.file_size,
        "video_name": video.video_name,
        "video_width": video.video_width,
        "video_height": video.video_height,
        "video_duration": video.video_duration,
        "play_set": [_play_set_fields(p, links, grant) for p in play_sets],
        "hls_url": master_url(video.id, play_sets, links, grant),
        "failure_reason": video.failure_reason,
    }


def play_set_ready_payload(
    play_set: PlaySet, video_play_sets: list[PlaySet], links: MediaLinks, grant: UrlGrant
) -> dict[str, Any]:
    """``video_play_sets``: the live play sets of its video, ``play_set`` (now ready) among them.

    ``hls_url`` is the video's master playlist, which lists ``play_set``
    from now on when it is packaged.
    """
    fields = _play_set_fields(play_set, links, grant)
    hls_url = master_url(play_set.video_id, video_play_sets, links, grant)
    return {"event_type": PLAY_SET_READY, "video_id": play_set.video_id, **fields, "hls_url": hls_url}


class DeliveryState(IntEnum):
    PENDING = 0
    DELIVERED = 1
    DEAD = 2


@dataclass
class OutboxEvent:
    """An event waiting for (or done with) delivery to the user's callback.

    ``id`` is the delivery id sent as ``X-VOD-Delivery`` on every try.
    """

    id: str
    user_id: str
    event_type: str
    payload: dict[str, Any]
    created_at: datetime
    next_attempt_at: datetime
    state: DeliveryState = DeliveryState.PENDING
    attempts: int = 0
    last_error: str = ""
    delivered_at: datetime | None = None

    @property
    def category(self) -> EventCategory:
        return EVENT_CATEGORIES[self.event_type]
