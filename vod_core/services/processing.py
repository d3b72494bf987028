"""Background work: probe + cover a new video, transcode play sets, recover after a restart.

Jobs are idempotent and re-runnable: every step re-reads the state it acts
on, skips what is already done, and stops quietly when the video or play
set was deleted meanwhile (which is also how a running transcode is
cancelled).
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Sequence

from vod_core.errors import ListVideoFailed, StorageUnavailable, UpdatePlaySetFailed, UpdateVideoFailed
from vod_core.events import OutboxEvent, play_set_ready_payload, video_ready_payload
from vod_core.files import StoredFile
from vod_core.play_set import PlaySet, PlaySetStatus
from vod_core.ports.jobs import Job, JobKind
from vod_core.ports.media import (
    MediaInfo,
    NotAVideo,
    Rendition,
    RenditionRequest,
    TranscodeCancelled,
    TranscodeFailed,
)
from vod_core.ports.unit_of_work import UnitOfWork
from vod_core.reasons import short_reason
from vod_core.services.access import MediaAccess
from vod_core.services.context import Context
from vod_core.services.failures import fails_as
from vod_core.services.ingest import DOWNLOAD_FAILED, SourceDownloads
from vod_core.services.transcoding import add_play_sets, template_for
from vod_core.video import VideoStatus

log = logging.getLogger(__name__)

WALK = (
    PlaySetStatus.INITIAL,
    PlaySetStatus.TRANSCODING,
    PlaySetStatus.TRANSCODED,
    PlaySetStatus.UPLOADING,
    PlaySetStatus.READY,
)
"""The statuses a successful play set passes through, in order."""

VIDEO_JOBS = frozenset({JobKind.PROCESS_VIDEO, JobKind.DOWNLOAD_SOURCE})
"""Jobs that bring a new video to status 1 or 3 (and cover the whole video, not play sets)."""

PROGRESS_STEP = 0.02
"""Progress is written whenever it advanced this much (contract: at least every 5%)."""


class Processing:
    def __init__(self, ctx: Context, access: MediaAccess) -> None:
        self._access = access
        self._ctx = ctx
        self._sources = SourceDownloads(ctx)

    async def handle(self, job: Job) -> None:
        """Run one job (the queues' :data:`~vod_core.ports.jobs.JobHandler`).

        Follow-up work is enqueued through ``ctx.jobs`` after its commit,
        like every job a use case schedules. A job past the limits of
        ``ctx.job_retries`` (its attempts, or how long the store or database
        has been unavailable to it) fails its work with the reason instead.
        """
        reason = self._ctx.job_retries.give_up_reason(job, self._ctx.clock.now())
        if reason is not None:
            await self.give_up(job, reason)
        elif job.kind == JobKind.DOWNLOAD_SOURCE:
            if await self._sources.download(job.video_id):
                await self.process_video(job.video_id)
        elif job.kind == JobKind.PROCESS_VIDEO:
            await self.process_video(job.video_id)
        else:
            await self.transcode(job.video_id, job.play_set_ids)

    # Background work: these codes reach only the logs, never a client.
    @fails_as(ListVideoFailed)
    async def unfinished(self) -> list[Job]:
        """Jobs for every video and play set left unfinished (after a crash or restart)."""
        async with self._ctx.reader() as uow:
            videos = await uow.videos.list_unfinished()
            play_sets = await uow.play_sets.list_unfinished()
        jobs = [Job(JobKind.DOWNLOAD_SOURCE if v.source_url else JobKind.PROCESS_VIDEO, v.id) for v in videos]
        by_video: dict[str, list[str]] = {}
        for play_set in play_sets:
            by_video.setdefault(play_set.video_id, []).append(play_set.id)
        jobs += [Job(JobKind.TRANSCODE, vid, tuple(ids)) for vid, ids in by_video.items()]
        return jobs

    @fails_as(ListVideoFailed)
    async def recover(self) -> list[Job]:
        """Enqueue a job for unfinished work that no queued job covers; returns the jobs enqueued.

        The one recovery: a process that runs jobs in-process calls it on
        start, ``vod worker --recover`` before consuming. Work whose job is
        still queued (or held by a dead Redis consumer) is left to that job.
        Only safe while no other process runs jobs or creates videos: a job
        committed but not yet enqueued would otherwise be queued twice.
        """
        lost = not_queued(await self.unfinished(), await self._ctx.jobs.queued())
        for job in lost:
            await self._ctx.jobs.enqueue(job)
            log.info("recovered %s of video %s (%d play sets)", job.kind.value, job.video_id, len(job.play_set_ids))
        return lost

    @fails_as(UpdateVideoFailed)
    async def give_up(self, job: Job, reason: str) -> None:
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            if job.kind in VIDEO_JOBS:
                video = await uow.videos.get(job.video_id)
                if video is not None and video.status in (VideoStatus.INITIAL, VideoStatus.UPLOADING):
                    video.move_to(VideoStatus.UPLOAD_FAILED, now)
                    prefix = f"{DOWNLOAD_FAILED}: " if job.kind == JobKind.DOWNLOAD_SOURCE else ""
                    video.failure_reason = short_reason(prefix + reason)
                    await uow.videos.update(video)
            for play_set in await self._load_play_sets(uow, job.play_set_ids):
                self._fail(play_set, reason)
                await uow.play_sets.update(play_set)
            await uow.commit()
        log.warning("job %s for video %s failed: %s", job.kind.value, job.video_id, reason)

    # -- new videos -----------------------------------------------------------------------

    @fails_as(UpdateVideoFailed)
    async def process_video(self, video_id: str) -> None:
        """Probe, make a cover, mark ready, start auto-transcodes; announce ``video_ready``."""
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            video = await uow.videos.get(video_id)
            if video is None or video.status not in (VideoStatus.INITIAL, VideoStatus.UPLOADING):
                return
            if video.status == VideoStatus.INITIAL:
                video.move_to(VideoStatus.UPLOADING, now)
                await uow.videos.update(video)
                await uow.commit()
        source = await self._ctx.storage.local_path(video.storage_id)
        try:
            info = await self._ctx.prober.probe(source)
        except NotAVideo as exc:
            await self._mark_unusable(video_id, str(exc))
            return
        with tempfile.TemporaryDirectory(prefix=f"vod-cover-{os.getpid()}-") as work:
            cover = await self._make_cover(source, os.path.join(work, "cover.jpg"))
        await self._finish_video(video_id, info, *cover)

    async def _mark_unusable(self, video_id: str, reason: str) -> None:
        log.warning("video %s is not a usable video: %s", video_id, reason)
        async with self._ctx.uow() as uow:
            video = await uow.videos.get(video_id)
            if video is None or video.status != VideoStatus.UPLOADING:
                return
            video.move_to(VideoStatus.UPLOAD_FAILED, self._ctx.clock.now())
            video.failure_reason = short_reason(f"not a video: {reason}")
            await uow.videos.update(video)
            await uow.commit()

    async def _make_cover(self, source: str, output: str) -> tuple[str, int]:
        """Store a cover; returns its storage id and size, or ("", 0) when none could be made.

        A video whose cover fails is still a usable video, so this raises
        only when the store is unavailable: then the job fails and is retried.
        """
        try:
            await self._ctx.thumbnailer.make_cover(source, output)
            cover_id = self._ctx.ids.new_id()
            size = await self._ctx.storage.import_file(cover_id, output)
        except StorageUnavailable:
            raise
        except Exception:
            log.exception("no cover could be made from %s", source)
            return "", 0
        return cover_id, size

    async def _finish_video(self, video_id: str, info: MediaInfo, cover_id: str, cover_size: int) -> None:
        grants = await self._access.grants()  # before the transaction: the key may have to be loaded
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            video = await uow.videos.get(video_id)
            if video is None or video.status != VideoStatus.UPLOADING:
                if cover_id:
                    await self._ctx.storage.delete(cover_id)
                return
            video.video_width, video.video_height = info.width, info.height
            video.video_duration, video.file_size = info.duration_ms, info.file_size
            if cover_id and video.thumb_storage_id:
                await self._ctx.storage.delete(cover_id)  # the owner chose a cover meanwhile
            elif cover_id:
                await uow.files.add(
                    StoredFile(cover_id, video.user_id, "cover.jpg", cover_size, "image/jpeg", now, video.id)
                )
                video.thumb_storage_id = cover_id
            video.move_to(VideoStatus.READY, now)
            await uow.videos.update(video)
            play_sets: list[PlaySet] = []
            if not video.skip_auto_trans:
                settings = await uow.settings.get(video.user_id)
                template_ids = settings.auto_trans_template_ids if settings else []
                play_sets = await add_play_sets(uow, self._ctx.ids, video, template_ids, now)
            payload = video_ready_payload(video, play_sets, self._ctx.links, grants.for_video(video.id))
            await uow.outbox.add(self._event(video.user_id, payload))
            await uow.commit()
        if play_sets:
            await self._ctx.jobs.enqueue(Job(JobKind.TRANSCODE, video.id, tuple(p.id for p in play_sets)))

    def _event(self, user_id: str, payload: dict[str, object]) -> OutboxEvent:
        now = self._ctx.clock.now()
        return OutboxEvent(self._ctx.ids.new_id(), user_id, str(payload["event_type"]), payload, now, now)

    # -- transcodes -----------------------------------------------------------------------

    async def _load_play_sets(self, uow: UnitOfWork, play_set_ids: Sequence[str]) -> list[PlaySet]:
        loaded = [await uow.play_sets.get(pid) for pid in play_set_ids]
        return [p for p in loaded if p is not None]

    @fails_as(UpdatePlaySetFailed)
    async def transcode(self, video_id: str, play_set_ids: Sequence[str]) -> None:
        """Make every listed rendition from one decode, walking each play set 0→2→3→5→1."""
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            video = await uow.videos.get(video_id)
            if video is None or video.status != VideoStatus.READY:
                return
            work = [p for p in await self._load_play_sets(uow, play_set_ids) if p.is_unfinished]
            for play_set in work:
                if play_set.status == PlaySetStatus.INITIAL:
                    play_set.move_to(PlaySetStatus.TRANSCODING, now)
                    await uow.play_sets.update(play_set)
            await uow.commit()
        if not work:
            return
        source = await self._ctx.storage.local_path(video.storage_id)
        with tempfile.TemporaryDirectory(prefix=f"vod-transcode-{os.getpid()}-") as tmp:
            requests = [RenditionRequest(template_for(p.template_id), os.path.join(tmp, f"{p.id}.mp4")) for p in work]
            tracker = _ProgressTracker(self._ctx, [p.id for p in work])
            try:
                renditions = await self._ctx.transcoder.transcode(source, requests, tracker.report)
            except TranscodeCancelled:
                log.info("transcode of video %s cancelled", video_id)
                return
            except TranscodeFailed as exc:
                await self._fail_all([p.id for p in work], f"transcode failed: {exc}")
                return
            for play_set, rendition in zip(work, renditions, strict=True):
                await self._store_rendition(play_set.id, rendition)

    async def _fail_all(self, play_set_ids: Sequence[str], reason: str) -> None:
        log.warning("play sets %s failed: %s", ", ".join(play_set_ids), reason)
        async with self._ctx.uow() as uow:
            for play_set in await self._load_play_sets(uow, play_set_ids):
                if self._fail(play_set, reason):
                    await uow.play_sets.update(play_set)
            await uow.commit()

    def _fail(self, play_set: PlaySet, reason: str) -> bool:
        """Move an unfinished play set to its failure status; False when there is nothing to fail."""
        now = self._ctx.clock.now()
        if play_set.status in (PlaySetStatus.INITIAL, PlaySetStatus.TRANSCODING):
            play_set.move_to(PlaySetStatus.TRANSCODE_FAILED, now)
        elif play_set.status == PlaySetStatus.TRANSCODED:
            play_set.move_to(PlaySetStatus.UPLOADING, now)
            play_set.move_to(PlaySetStatus.UPLOAD_FAILED, now)
        elif play_set.status == PlaySetStatus.UPLOADING:
            play_set.move_to(PlaySetStatus.UPLOAD_FAILED, now)
        else:
            return False
        play_set.failure_reason = short_reason(reason)
        return True

    async def _advance(self, play_set_id: str, target: PlaySetStatus) -> bool:
        """Move a live play set forward to ``target`` unless it is there already; False if it is gone."""
        async with self._ctx.uow() as uow:
            play_set = await uow.play_sets.get(play_set_id)
            if play_set is None or not play_set.is_unfinished:
                return False
            if WALK.index(play_set.status) < WALK.index(target):
                play_set.move_to(target, self._ctx.clock.now())
                await uow.play_sets.update(play_set)
                await uow.commit()
            return True

    async def _store_rendition(self, play_set_id: str, rendition: Rendition) -> None:
        if not await self._advance(play_set_id, PlaySetStatus.TRANSCODED):
            return
        if not await self._advance(play_set_id, PlaySetStatus.UPLOADING):
            return
        storage_id = self._ctx.ids.new_id()
        try:
            size = await self._ctx.storage.import_file(storage_id, rendition.output_path)
        except StorageUnavailable:
            raise  # the store is down, not the rendition bad: the job fails and is retried
        except Exception:
            log.exception("could not store the rendition of play set %s", play_set_id)
            await self._fail_all([play_set_id], "upload failed: the rendition could not be stored")
            return
        grants = await self._access.grants()
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            play_set = await uow.play_sets.get(play_set_id)
            if play_set is None or play_set.status != PlaySetStatus.UPLOADING:
                await self._ctx.storage.delete(storage_id)
                return
            filename = f"{play_set.video_id}-{play_set.resolution.lower()}.mp4"
            await uow.files.add(
                StoredFile(storage_id, play_set.user_id, filename, size, "video/mp4", now, play_set.video_id)
            )
            play_set.storage_id, play_set.file_size = storage_id, size
            play_set.video_width, play_set.video_height = rendition.width, rendition.height
            play_set.video_duration = rendition.duration_ms
            play_set.hls_index = rendition.hls.to_json() if rendition.hls else ""
            play_set.move_to(PlaySetStatus.READY, now)
            await uow.play_sets.update(play_set)
            siblings = [p for p in await uow.play_sets.live_for_videos([play_set.video_id]) if p.id != play_set.id]
            payload = play_set_ready_payload(
                play_set, [*siblings, play_set], self._ctx.links, grants.for_video(play_set.video_id)
            )
            await uow.outbox.add(self._event(play_set.user_id, payload))
            await uow.commit()


def not_queued(unfinished: Sequence[Job], queued: Sequence[Job]) -> list[Job]:
    """The part of ``unfinished`` that no queued job covers (play sets are compared one by one)."""
    processing = {j.video_id for j in queued if j.kind in VIDEO_JOBS}
    transcoding = {p for j in queued if j.kind == JobKind.TRANSCODE for p in j.play_set_ids}
    result: list[Job] = []
    for job in unfinished:
        if job.kind in VIDEO_JOBS:
            if job.video_id not in processing:
                result.append(job)
            continue
        ids = tuple(p for p in job.play_set_ids if p not in transcoding)
        if ids:
            result.append(Job(job.kind, job.video_id, ids))
    return result


class _ProgressTracker:
    """Writes transcoding progress every PROGRESS_STEP and cancels when all play sets are gone."""

    def __init__(self, ctx: Context, play_set_ids: list[str]) -> None:
        self._ctx = ctx
        self._ids = play_set_ids
        self._written = 0.0

    async def report(self, fraction: float) -> bool:
        if fraction - self._written < PROGRESS_STEP:
            return True
        self._written = fraction
        alive = False
        async with self._ctx.uow() as uow:
            for play_set_id in self._ids:
                play_set = await uow.play_sets.get(play_set_id)
                if play_set is None or not play_set.is_unfinished:
                    continue
                alive = True
                if play_set.status == PlaySetStatus.TRANSCODING and play_set.report_progress(
                    fraction, self._ctx.clock.now()
                ):
                    await uow.play_sets.update(play_set)
            await uow.commit()
        return alive
