"""The video library: create, read, search, rename, re-cover, delete, size sum."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from vod_core.errors import (
    AlreadyInLibrary,
    DeleteVideoFailed,
    GetVideoFailed,
    InsertVideoFailed,
    InvalidParameter,
    ListVideoFailed,
    NotFound,
    SizeSumFailed,
    UniqueViolation,
    UnusableFile,
    UpdateVideoFailed,
    VideoNotReady,
)
from vod_core.files import StoredFile
from vod_core.play_set import PlaySet, PlaySetStatus
from vod_core.ports.jobs import Job, JobKind
from vod_core.ports.unit_of_work import ReadUnitOfWork
from vod_core.ports.videos import VideoQuery
from vod_core.services.access import Grants, MediaAccess, unlinked_cutoff
from vod_core.services.context import Context
from vod_core.services.failures import fails_as
from vod_core.services.validation import Page, require_id, require_text
from vod_core.signing import UrlGrant
from vod_core.video import MAX_NAME_LENGTH, Video, VideoStatus

log = logging.getLogger(__name__)

MAX_BATCH_DELETE = 100
MAX_SOURCE_FIELD = 255


@dataclass(frozen=True)
class VideoDetails:
    """A video with its non-deleted play sets, as every read returns it.

    ``grant`` signs the media URLs handed out with it (API.md C1).
    """

    video: Video
    play_sets: list[PlaySet]
    grant: UrlGrant


@dataclass(frozen=True)
class VideoPage:
    videos: list[VideoDetails]
    count: int


async def owned_video(uow: ReadUnitOfWork, user_id: str, video_id: str, *, allow_deleted: bool = False) -> Video:
    """The caller's video; missing, another user's (or deleted) is 3102 alike."""
    video = await uow.videos.get(video_id)
    if video is None or video.user_id != user_id or (video.is_deleted and not allow_deleted):
        raise NotFound(f"video {video_id} not found")
    return video


async def with_play_sets(uow: ReadUnitOfWork, videos: Sequence[Video], grants: Grants) -> list[VideoDetails]:
    play_sets = await uow.play_sets.live_for_videos([v.id for v in videos])
    by_video: dict[str, list[PlaySet]] = {v.id: [] for v in videos}
    for play_set in play_sets:
        by_video[play_set.video_id].append(play_set)
    return [VideoDetails(v, by_video[v.id], grants.for_video(v.id)) for v in videos]


async def remove_stored_bytes(ctx: Context, storage_ids: Sequence[str]) -> None:
    """Remove bytes after the commit that marked them deleted; a failure leaves only garbage."""
    for storage_id in storage_ids:
        try:
            await ctx.storage.delete(storage_id)
        except Exception:
            log.exception("could not remove stored file %s (already marked deleted)", storage_id)


def usable_upload(stored: StoredFile, user_id: str, ctx: Context) -> bool:
    """The caller's own non-deleted file, and not an unlinked upload past its lifetime."""
    if stored.deleted or stored.user_id != user_id:
        return False
    return bool(stored.video_id) or stored.created_at > unlinked_cutoff(ctx.clock.now(), ctx.unlinked_ttl_s)


async def pending_upload(uow: ReadUnitOfWork, storage_id: str, user_id: str, now: datetime) -> bool:
    """Whether ``storage_id`` is the caller's unfinished, unexpired resumable upload (3103 until its last byte)."""
    upload = await uow.resumable_uploads.get(storage_id)
    return upload is not None and upload.user_id == user_id and not upload.finished and not upload.expired(now)


class VideoLibrary:
    def __init__(self, ctx: Context, access: MediaAccess) -> None:
        self._ctx = ctx
        self._access = access

    @fails_as(InsertVideoFailed)
    async def create_video(
        self,
        user_id: str,
        storage_id: str,
        *,
        source_type: str = "",
        source_id: str = "",
        video_name: str | None = None,
        skip_auto_trans: bool = False,
    ) -> Video:
        """Register an uploaded file as a video; processing continues in the background."""
        require_id("storage_id", storage_id)
        require_text("source_type", source_type, max_length=MAX_SOURCE_FIELD, allow_empty=True)
        require_text("source_id", source_id, max_length=MAX_SOURCE_FIELD, allow_empty=True)
        if video_name is not None:
            require_text("video_name", video_name, max_length=MAX_NAME_LENGTH)
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            stored = await uow.files.get(storage_id)
            if stored is None and await pending_upload(uow, storage_id, user_id, now):
                raise VideoNotReady(f"storage_id {storage_id} is a resumable upload still in progress")
            if stored is None or not usable_upload(stored, user_id, self._ctx):
                raise NotFound(f"storage_id {storage_id} not found")
            if stored.video_id:
                backed = await uow.videos.get(stored.video_id)
                if backed is not None and backed.status == VideoStatus.UPLOAD_FAILED:
                    raise UnusableFile(f"storage_id {storage_id} is not a usable video; upload it again")
                raise AlreadyInLibrary(f"storage_id {storage_id} is already in the media library")
            video = Video(
                id=self._ctx.ids.new_id(),
                user_id=user_id,
                storage_id=storage_id,
                video_name=video_name if video_name is not None else stored.filename[:MAX_NAME_LENGTH],
                created_at=now,
                updated_at=now,
                source_type=source_type,
                source_id=source_id,
                file_size=stored.size,
                skip_auto_trans=skip_auto_trans,
            )
            try:
                await uow.videos.add(video)
            except UniqueViolation as exc:
                raise AlreadyInLibrary(f"storage_id {storage_id} is already in the media library") from exc
            if not await uow.files.link(storage_id, video.id):  # swept meanwhile
                raise NotFound(f"storage_id {storage_id} not found")
            await uow.commit()
        await self._ctx.jobs.enqueue(Job(JobKind.PROCESS_VIDEO, video.id))
        return video

    @fails_as(GetVideoFailed)
    async def get_video(self, user_id: str, video_id: str) -> VideoDetails:
        require_id("id", video_id)
        grants = await self._access.grants()
        async with self._ctx.reader() as uow:
            video = await owned_video(uow, user_id, video_id)
            return (await with_play_sets(uow, [video], grants))[0]

    @fails_as(ListVideoFailed)
    async def list_videos(self, user_id: str, page: Page) -> VideoPage:
        return await self.search_videos(user_id, page)

    @fails_as(ListVideoFailed)
    async def search_videos(
        self, user_id: str, page: Page, search: str = "", source_type: str | None = None
    ) -> VideoPage:
        """``search``: an exact id or a case-insensitive name substring; empty matches all."""
        require_text("search", search, max_length=MAX_NAME_LENGTH, allow_empty=True)
        if source_type is not None:
            require_text("source_type", source_type, max_length=MAX_SOURCE_FIELD, allow_empty=True)
        query = VideoQuery(user_id, search, source_type)
        grants = await self._access.grants()
        async with self._ctx.reader() as uow:
            videos = await uow.videos.find(query, page.offset, page.page_size)
            count = await uow.videos.count(query)
            return VideoPage(await with_play_sets(uow, videos, grants), count)

    @fails_as(UpdateVideoFailed)
    async def update_video(
        self, user_id: str, video_id: str, *, video_name: str | None = None, thumb_storage_id: str | None = None
    ) -> None:
        """Rename and/or replace the cover; the old cover's stored file is deleted."""
        require_id("id", video_id)
        if video_name is None and thumb_storage_id is None:
            raise InvalidParameter("video_name", "or thumb_storage_id must be given")
        if video_name is not None:
            require_text("video_name", video_name, max_length=MAX_NAME_LENGTH)
        if thumb_storage_id is not None:
            require_id("thumb_storage_id", thumb_storage_id)
        removed: list[str] = []
        async with self._ctx.uow() as uow:
            video = await owned_video(uow, user_id, video_id)
            if video_name is not None:
                video.video_name = video_name
            if thumb_storage_id is not None and thumb_storage_id != video.thumb_storage_id:
                cover = await uow.files.get(thumb_storage_id)
                if cover is None or not usable_upload(cover, user_id, self._ctx):
                    raise NotFound(f"thumb_storage_id {thumb_storage_id} not found")
                if cover.video_id:
                    raise InvalidParameter("thumb_storage_id", "is already used by a video")
                if not await uow.files.link(thumb_storage_id, video.id):  # swept meanwhile
                    raise NotFound(f"thumb_storage_id {thumb_storage_id} not found")
                if video.thumb_storage_id:
                    removed.append(video.thumb_storage_id)
                    await uow.files.mark_deleted(removed)
                video.thumb_storage_id = thumb_storage_id
            video.updated_at = self._ctx.clock.now()
            await uow.videos.update(video)
            await uow.commit()
        await remove_stored_bytes(self._ctx, removed)

    @fails_as(DeleteVideoFailed)
    async def delete_video(self, user_id: str, video_id: str) -> None:
        """Delete a video with its play sets and files; deleting it again is a no-op."""
        await self.delete_videos(user_id, [video_id], field="id")

    @fails_as(DeleteVideoFailed)
    async def delete_videos(self, user_id: str, video_ids: Sequence[str], *, field: str = "ids") -> None:
        """All or nothing: one id that is not the caller's video deletes none."""
        unique_ids = list(dict.fromkeys(video_ids))
        if not unique_ids:
            raise InvalidParameter(field, "must name at least one video")
        if len(unique_ids) > MAX_BATCH_DELETE:
            raise InvalidParameter(field, f"must name at most {MAX_BATCH_DELETE} videos")
        for video_id in unique_ids:
            require_id(field, video_id)
        removed: list[str] = []
        async with self._ctx.uow() as uow:
            videos = [await owned_video(uow, user_id, vid, allow_deleted=True) for vid in unique_ids]
            now = self._ctx.clock.now()
            live = [v for v in videos if not v.is_deleted]
            for play_set in await uow.play_sets.live_for_videos([v.id for v in live]):
                play_set.move_to(PlaySetStatus.DELETED, now)
                await uow.play_sets.update(play_set)
            for video in live:
                video.move_to(VideoStatus.DELETED, now)
                await uow.videos.update(video)
                removed.extend(f.id for f in await uow.files.live_for_video(video.id))
            await uow.files.mark_deleted(removed)
            await uow.commit()
        await remove_stored_bytes(self._ctx, removed)

    @fails_as(SizeSumFailed)
    async def size_sum(self, user_id: str) -> int:
        """Bytes of the caller's non-deleted videos (originals, renditions, covers) and live unlinked uploads."""
        cutoff = unlinked_cutoff(self._ctx.clock.now(), self._ctx.unlinked_ttl_s)
        async with self._ctx.reader() as uow:
            return await uow.files.linked_size_sum(user_id) + await uow.files.unlinked_size_sum(user_id, cutoff)
