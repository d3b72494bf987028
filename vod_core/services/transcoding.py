"""Starting transcodes: templates, ``trans`` with redo, play set creation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from vod_core.errors import (
    InsertPlaySetFailed,
    InvalidParameter,
    TranscodeExists,
    UniqueViolation,
    UploadFromUrlFailed,
    VideoNotReady,
    VideoUploadFailed,
)
from vod_core.play_set import PlaySet, PlaySetStatus
from vod_core.ports.ids import IdGenerator
from vod_core.ports.jobs import Job, JobKind
from vod_core.ports.unit_of_work import UnitOfWork
from vod_core.services.context import Context
from vod_core.services.failures import fails_as
from vod_core.services.validation import require_id
from vod_core.services.videos import owned_video, remove_stored_bytes
from vod_core.templates import BUILTIN_TEMPLATES, TranscodeTemplate
from vod_core.video import Video, VideoStatus


def template_for(template_id: int, field: str = "task_config_temp_id") -> TranscodeTemplate:
    template = BUILTIN_TEMPLATES.get(template_id)
    if template is None:
        raise InvalidParameter(field, f"must be one of {sorted(BUILTIN_TEMPLATES)}")
    return template


async def add_play_sets(
    uow: UnitOfWork, ids: IdGenerator, video: Video, template_ids: Sequence[int], now: datetime
) -> list[PlaySet]:
    """New play sets at status 0; UniqueViolation if a live one of a template exists."""
    created = []
    for template_id in template_ids:
        template = template_for(template_id)
        play_set = PlaySet(
            id=ids.new_id(),
            video_id=video.id,
            user_id=video.user_id,
            template_id=template.id,
            resolution=template.resolution,
            created_at=now,
            updated_at=now,
        )
        await uow.play_sets.add(play_set)
        created.append(play_set)
    return created


def upload_failure_message(video: Video) -> str:
    """The ``msg`` of 3104: the video's failure reason, and for a failed download its code 3113."""
    if video.source_url:
        cause = f"{UploadFromUrlFailed.code} {UploadFromUrlFailed.default_message}: {video.failure_reason}"
    else:
        cause = video.failure_reason or "not a usable video"
    return f"video {video.id} failed to upload ({cause}); upload it again"


class Transcoding:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    @staticmethod
    def list_templates() -> list[TranscodeTemplate]:
        return list(BUILTIN_TEMPLATES.values())

    @fails_as(InsertPlaySetFailed)
    async def start_transcode(self, user_id: str, video_id: str, template_id: int, redo: bool = False) -> PlaySet:
        """Start one rendition. ``redo`` retires the existing one (status 7, files removed)."""
        require_id("id", video_id)
        template_for(template_id)
        removed: list[str] = []
        async with self._ctx.uow() as uow:
            video = await owned_video(uow, user_id, video_id)
            if video.status == VideoStatus.UPLOAD_FAILED:
                raise VideoUploadFailed(upload_failure_message(video))
            if video.status != VideoStatus.READY:
                raise VideoNotReady(f"video {video_id} is not ready yet")
            now = self._ctx.clock.now()
            for existing in await uow.play_sets.live_for_videos([video.id]):
                if existing.template_id != template_id:
                    continue
                if not redo:
                    raise TranscodeExists(f"a transcode of template {template_id} is running or done")
                existing.move_to(PlaySetStatus.DELETED, now)
                await uow.play_sets.update(existing)
                if existing.storage_id:
                    removed.append(existing.storage_id)
            await uow.files.mark_deleted(removed)
            try:
                (play_set,) = await add_play_sets(uow, self._ctx.ids, video, [template_id], now)
            except UniqueViolation as exc:
                raise TranscodeExists(f"a transcode of template {template_id} is running or done") from exc
            await uow.commit()
        await remove_stored_bytes(self._ctx, removed)
        await self._ctx.jobs.enqueue(Job(JobKind.TRANSCODE, video.id, (play_set.id,)))
        return play_set
