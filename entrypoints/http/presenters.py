"""Domain objects → the JSON shapes of the seed (field names and order as documented).

URLs are derived here from storage ids, never stored, so a new public base
URL applies to every video at once; each carries the grant the use case
signed for its video (API.md C1).
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import Any

from vod_core.files import StoredFile
from vod_core.hls import master_url
from vod_core.play_set import PlaySet, PlaySetStatus
from vod_core.ports.links import MediaLinks
from vod_core.services.videos import VideoDetails
from vod_core.signing import UrlGrant
from vod_core.templates import TranscodeTemplate
from vod_core.traffic import VideoTotal
from vod_core.video import VideoStatus


class Presenter:
    """Renders in one service zone with one set of media links."""

    def __init__(self, zone: tzinfo, links: MediaLinks) -> None:
        self.zone = zone
        self.links = links

    def time(self, moment: datetime) -> str:
        """RFC 3339 in the service zone, to the second: ``2010-11-22T15:16:17+08:00``."""
        return moment.astimezone(self.zone).isoformat(timespec="seconds")

    def unix_time(self, seconds: int) -> str:
        return self.time(datetime.fromtimestamp(seconds, tz=self.zone))

    def _url(self, storage_id: str, grant: UrlGrant) -> str:
        return self.links.file_url(storage_id, grant) if storage_id else ""

    def play_set(self, play_set: PlaySet, grant: UrlGrant) -> dict[str, Any]:
        ready = play_set.status == PlaySetStatus.READY
        return {
            "play_set_id": play_set.id,
            "created_at": self.time(play_set.created_at),
            "updated_at": self.time(play_set.updated_at),
            "storage_id": play_set.storage_id,
            "status": int(play_set.status),
            "trans_progress": float(play_set.trans_progress),
            "trans_task_config_temp_id": play_set.template_id,
            "url": self._url(play_set.storage_id, grant) if ready else "",
            "file_size": play_set.file_size,
            "video_width": play_set.video_width,
            "video_height": play_set.video_height,
            "video_duration": play_set.video_duration,
            "resolution": play_set.resolution,
            "failure_reason": play_set.failure_reason,
        }

    def video(self, details: VideoDetails, *, hide_password: bool = False) -> dict[str, Any]:
        video = details.video
        ready = video.status == VideoStatus.READY
        return {
            "id": video.id,
            "created_at": self.time(video.created_at),
            "updated_at": self.time(video.updated_at),
            "source_type": video.source_type,
            "source_id": video.source_id,
            "status": int(video.status),
            "storage_id": video.storage_id,
            "origin_url": self._url(video.storage_id, details.grant) if ready else "",
            "thumb_url": self._url(video.thumb_storage_id, details.grant),
            "file_size": video.file_size,
            "video_name": video.video_name,
            "video_width": video.video_width,
            "video_height": video.video_height,
            "video_duration": video.video_duration,
            "shared_state": int(video.shared_state),
            "share_password": "" if hide_password else video.share_password,
            "play_set": [self.play_set(p, details.grant) for p in details.play_sets],
            "hls_url": master_url(video.id, details.play_sets, self.links, details.grant),
            "failure_reason": video.failure_reason,
        }

    def stored_file(self, stored: StoredFile) -> dict[str, Any]:
        return {
            "storage_id": stored.id,
            "file_size": stored.size,
            "filename": stored.filename,
            "content_type": stored.content_type,
            "created_at": self.time(stored.created_at),
        }

    def video_total(self, row: VideoTotal) -> dict[str, Any]:
        return {
            "video_id": row.video_id,
            "video_name": row.video_name,
            "video_created_at": self.time(row.video_created_at),
            "total_bytes": row.total_bytes,
        }

    @staticmethod
    def day_total(day: date, total: int) -> dict[str, Any]:
        return {"date": day.isoformat(), "total_bytes": total}

    @staticmethod
    def template(template: TranscodeTemplate) -> dict[str, Any]:
        return {
            "task_config_temp_id": template.id,
            "resolution": template.resolution,
            "short_side": template.short_side or 0,
            "video_bitrate_kbps": template.video_bitrate_kbps or 0,
            "audio_bitrate_kbps": template.audio_bitrate_kbps,
        }
