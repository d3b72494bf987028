"""Domain dataclasses <-> column values.

Timestamps are stored in UTC (``TIMESTAMPTZ`` on PostgreSQL; on SQLite ISO
text, which sorts correctly only when every value has the same offset) and
come back timezone-aware.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from adapters.tortoise.models import ApiKeyRow, OutboxRow, PlaySetRow, SettingsRow, StoredFileRow, UserRow, VideoRow
from vod_core.events import DeliveryState, OutboxEvent
from vod_core.files import StoredFile
from vod_core.play_set import PlaySet, PlaySetStatus
from vod_core.settings import EventCategory, UserSettings
from vod_core.users import ApiKey, User
from vod_core.video import SharedState, Video, VideoStatus


def utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment} cannot be stored")
    return moment.astimezone(UTC)


def aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def video_columns(video: Video) -> dict[str, Any]:
    return {
        "id": video.id,
        "user_id": video.user_id,
        "storage_id": video.storage_id,
        "video_name": video.video_name,
        "created_at": utc(video.created_at),
        "updated_at": utc(video.updated_at),
        "source_type": video.source_type,
        "source_id": video.source_id,
        "status": int(video.status),
        "thumb_storage_id": video.thumb_storage_id,
        "file_size": video.file_size,
        "video_width": video.video_width,
        "video_height": video.video_height,
        "video_duration": video.video_duration,
        "shared_state": int(video.shared_state),
        "share_password": video.share_password,
        "skip_auto_trans": video.skip_auto_trans,
        "failure_reason": video.failure_reason,
    }


def to_video(row: VideoRow) -> Video:
    return Video(
        id=row.id,
        user_id=row.user_id,
        storage_id=row.storage_id,
        video_name=row.video_name,
        created_at=aware(row.created_at),
        updated_at=aware(row.updated_at),
        source_type=row.source_type,
        source_id=row.source_id,
        status=VideoStatus(row.status),
        thumb_storage_id=row.thumb_storage_id,
        file_size=row.file_size,
        video_width=row.video_width,
        video_height=row.video_height,
        video_duration=row.video_duration,
        shared_state=SharedState(row.shared_state),
        share_password=row.share_password,
        skip_auto_trans=bool(row.skip_auto_trans),
        failure_reason=row.failure_reason,
    )


def play_set_columns(play_set: PlaySet) -> dict[str, Any]:
    return {
        "id": play_set.id,
        "video_id": play_set.video_id,
        "user_id": play_set.user_id,
        "template_id": play_set.template_id,
        "resolution": play_set.resolution,
        "created_at": utc(play_set.created_at),
        "updated_at": utc(play_set.updated_at),
        "status": int(play_set.status),
        "trans_progress": play_set.trans_progress,
        "storage_id": play_set.storage_id,
        "file_size": play_set.file_size,
        "video_width": play_set.video_width,
        "video_height": play_set.video_height,
        "video_duration": play_set.video_duration,
        "failure_reason": play_set.failure_reason,
    }


def to_play_set(row: PlaySetRow) -> PlaySet:
    return PlaySet(
        id=row.id,
        video_id=row.video_id,
        user_id=row.user_id,
        template_id=row.template_id,
        resolution=row.resolution,
        created_at=aware(row.created_at),
        updated_at=aware(row.updated_at),
        status=PlaySetStatus(row.status),
        trans_progress=row.trans_progress,
        storage_id=row.storage_id,
        file_size=row.file_size,
        video_width=row.video_width,
        video_height=row.video_height,
        video_duration=row.video_duration,
        failure_reason=row.failure_reason,
    )


def file_columns(stored: StoredFile) -> dict[str, Any]:
    return {
        "id": stored.id,
        "user_id": stored.user_id,
        "filename": stored.filename,
        "size": stored.size,
        "content_type": stored.content_type,
        "created_at": utc(stored.created_at),
        "video_id": stored.video_id,
        "deleted": stored.deleted,
    }


def to_file(row: StoredFileRow) -> StoredFile:
    return StoredFile(
        id=row.id,
        user_id=row.user_id,
        filename=row.filename,
        size=row.size,
        content_type=row.content_type,
        created_at=aware(row.created_at),
        video_id=row.video_id,
        deleted=bool(row.deleted),
    )


def user_columns(user: User) -> dict[str, Any]:
    return {"id": user.id, "name": user.name, "created_at": utc(user.created_at)}


def to_user(row: UserRow) -> User:
    return User(id=row.id, name=row.name, created_at=aware(row.created_at))


def api_key_columns(key: ApiKey) -> dict[str, Any]:
    return {"key_hash": key.key_hash, "user_id": key.user_id, "created_at": utc(key.created_at)}


def to_api_key(row: ApiKeyRow) -> ApiKey:
    return ApiKey(key_hash=row.key_hash, user_id=row.user_id, created_at=aware(row.created_at))


def settings_columns(settings: UserSettings) -> dict[str, Any]:
    return {
        "user_id": settings.user_id,
        "webhook_secret": settings.webhook_secret,
        "auto_trans_template_ids": json.dumps(settings.auto_trans_template_ids),
        "callbacks": json.dumps({str(category): url for category, url in settings.callbacks.items()}),
    }


def to_settings(row: SettingsRow) -> UserSettings:
    callbacks: dict[str, str] = json.loads(row.callbacks)
    return UserSettings(
        user_id=row.user_id,
        webhook_secret=row.webhook_secret,
        auto_trans_template_ids=[int(t) for t in json.loads(row.auto_trans_template_ids)],
        callbacks={EventCategory(category): url for category, url in callbacks.items()},
    )


def outbox_columns(event: OutboxEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "user_id": event.user_id,
        "event_type": event.event_type,
        "payload": json.dumps(event.payload, ensure_ascii=False),
        "created_at": utc(event.created_at),
        "next_attempt_at": utc(event.next_attempt_at),
        "state": int(event.state),
        "attempts": event.attempts,
        "last_error": event.last_error,
        "delivered_at": None if event.delivered_at is None else utc(event.delivered_at),
    }


def to_outbox_event(row: OutboxRow) -> OutboxEvent:
    return OutboxEvent(
        id=row.id,
        user_id=row.user_id,
        event_type=row.event_type,
        payload=json.loads(row.payload),
        created_at=aware(row.created_at),
        next_attempt_at=aware(row.next_attempt_at),
        state=DeliveryState(row.state),
        attempts=row.attempts,
        last_error=row.last_error,
        delivered_at=None if row.delivered_at is None else aware(row.delivered_at),
    )


# -- rows of raw SQL (hot read paths) ---------------------------------------------------
# ``SELECT <the columns below>`` by position, from either driver: asyncpg gives
# aware datetimes and bools, SQLite ISO text and 0/1. The result equals what
# the ORM path (``to_video`` ...) gives for the same row.

VIDEO_COLUMNS = (
    "id, user_id, storage_id, video_name, created_at, updated_at, source_type, source_id, status,"
    " thumb_storage_id, file_size, video_width, video_height, video_duration, shared_state, share_password,"
    " skip_auto_trans, failure_reason"
)
PLAY_SET_COLUMNS = (
    "id, video_id, user_id, template_id, resolution, created_at, updated_at, status, trans_progress, storage_id,"
    " file_size, video_width, video_height, video_duration, failure_reason"
)
FILE_COLUMNS = "id, user_id, filename, size, content_type, created_at, video_id, deleted"
USER_COLUMNS = "id, name, created_at"


def moment(value: Any) -> datetime:
    return aware(value if isinstance(value, datetime) else datetime.fromisoformat(value))


def video_from_row(r: Sequence[Any]) -> Video:
    return Video(
        id=r[0],
        user_id=r[1],
        storage_id=r[2],
        video_name=r[3],
        created_at=moment(r[4]),
        updated_at=moment(r[5]),
        source_type=r[6],
        source_id=r[7],
        status=VideoStatus(r[8]),
        thumb_storage_id=r[9],
        file_size=r[10],
        video_width=r[11],
        video_height=r[12],
        video_duration=r[13],
        shared_state=SharedState(r[14]),
        share_password=r[15],
        skip_auto_trans=bool(r[16]),
        failure_reason=r[17],
    )


def play_set_from_row(r: Sequence[Any]) -> PlaySet:
    return PlaySet(
        id=r[0],
        video_id=r[1],
        user_id=r[2],
        template_id=r[3],
        resolution=r[4],
        created_at=moment(r[5]),
        updated_at=moment(r[6]),
        status=PlaySetStatus(r[7]),
        trans_progress=float(r[8]),
        storage_id=r[9],
        file_size=r[10],
        video_width=r[11],
        video_height=r[12],
        video_duration=r[13],
        failure_reason=r[14],
    )


def file_from_row(r: Sequence[Any]) -> StoredFile:
    return StoredFile(
        id=r[0],
        user_id=r[1],
        filename=r[2],
        size=r[3],
        content_type=r[4],
        created_at=moment(r[5]),
        video_id=r[6],
        deleted=bool(r[7]),
    )


def user_from_row(r: Sequence[Any]) -> User:
    return User(id=r[0], name=r[1], created_at=moment(r[2]))
