"""The real media adapters inside the use cases: upload → create → process → transcode, failures, cancel."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path

import av
import pytest

from adapters.media import PyAVProber, PyAVThumbnailer, PyAVTranscoder
from adapters.media.cmaf import read_index
from adapters.media.cover import luma_variance
from adapters.memory.jobs import MemoryJobQueue
from adapters.memory.storage import MemoryStorage
from entrypoints.bootstrap import bootstrap
from entrypoints.config import Config
from tests.media.checks import decode_all
from vod_core import Vod
from vod_core.packaging import HlsIndex
from vod_core.play_set import PlaySet, PlaySetStatus
from vod_core.ports.media import ProgressCallback, Rendition, RenditionRequest, TranscodeCancelled, Transcoder
from vod_core.templates import BUILTIN_TEMPLATES, output_size
from vod_core.video import VideoStatus


class SpyTranscoder(Transcoder):
    """Delegates to the real transcoder; records calls and progress, runs a hook on each report."""

    def __init__(self, inner: Transcoder) -> None:
        self.inner = inner
        self.calls: list[list[int]] = []
        self.fractions: list[float] = []
        self.hook: Callable[[float], Awaitable[None]] | None = None
        self.cancelled_leftovers: list[str] | None = None

    async def transcode(
        self, source_path: str, requests: Sequence[RenditionRequest], progress: ProgressCallback
    ) -> list[Rendition]:
        self.calls.append([r.template.id for r in requests])

        async def forward(fraction: float) -> bool:
            self.fractions.append(fraction)
            if self.hook is not None:
                await self.hook(fraction)
            return await progress(fraction)

        try:
            return await self.inner.transcode(source_path, requests, forward)
        except TranscodeCancelled:
            self.cancelled_leftovers = [r.output_path for r in requests if os.path.exists(r.output_path)]
            raise


@pytest.fixture
async def spy() -> AsyncIterator[SpyTranscoder]:
    engine = PyAVTranscoder(max_workers=1)
    yield SpyTranscoder(engine)
    await engine.close()


@pytest.fixture
def service(spy: SpyTranscoder) -> tuple[Vod, MemoryJobQueue]:
    jobs = MemoryJobQueue()
    runtime = bootstrap(
        Config.in_memory(), jobs=jobs, prober=PyAVProber(), thumbnailer=PyAVThumbnailer(), transcoder=spy
    )
    return runtime.vod, jobs


async def upload_and_create(vod: Vod, path: str, *, auto: Sequence[int] = (), skip: bool = False) -> tuple[str, str]:
    """A new user uploads ``path`` and creates a video of it; returns (user id, video id)."""
    user, _ = await vod.users.create_user("alice")
    if auto:
        await vod.preferences.save_trans_config(user.id, list(auto))
    data = Path(path).read_bytes()

    async def chunks() -> AsyncIterator[bytes]:
        yield data

    stored = await vod.uploads.upload(user.id, Path(path).name, chunks())
    video = await vod.videos.create_video(user.id, stored.id, skip_auto_trans=skip)
    return user.id, video.id


def storage_of(vod: Vod) -> MemoryStorage:
    storage = vod.ctx.storage
    assert isinstance(storage, MemoryStorage)
    return storage


async def play_set(vod: Vod, play_set_id: str) -> PlaySet:
    async with vod.ctx.uow() as uow:
        found = await uow.play_sets.get(play_set_id)
    assert found is not None
    return found


async def test_a_new_video_is_probed_covered_and_transcoded_into_every_auto_template_from_one_call(
    service: tuple[Vod, MemoryJobQueue], spy: SpyTranscoder, clips: dict[str, str], tmp_path: Path
) -> None:
    vod, jobs = service
    user_id, video_id = await upload_and_create(vod, clips["black_start"], auto=(1, 2, 5))
    statuses_while_transcoding: set[PlaySetStatus] = set()

    async def look(_: float) -> None:
        details = await vod.videos.get_video(user_id, video_id)
        statuses_while_transcoding.update(p.status for p in details.play_sets)

    spy.hook = look

    await jobs.drain(vod.processing.handle)

    details = await vod.videos.get_video(user_id, video_id)
    video = details.video
    assert video.status == VideoStatus.READY
    assert (video.video_width, video.video_height) == (160, 90)
    assert abs(video.video_duration - 2000) <= 1000 / 24
    cover = storage_of(vod).objects[video.thumb_storage_id]
    assert cover[:2] == b"\xff\xd8"  # JPEG
    (tmp_path / "cover.jpg").write_bytes(cover)
    assert decode_all(str(tmp_path / "cover.jpg")).width == 160
    assert spy.calls == [[1, 2, 5]]  # one transcode, so one decode, for all three
    assert statuses_while_transcoding == {PlaySetStatus.TRANSCODING}
    assert spy.fractions == sorted(spy.fractions)
    assert max(b - a for a, b in zip([0.0, *spy.fractions], spy.fractions, strict=False)) <= 0.05
    for ready in details.play_sets:
        assert (ready.status, ready.trans_progress) == (PlaySetStatus.READY, 1.0)
        template = BUILTIN_TEMPLATES[ready.template_id]
        assert (ready.video_width, ready.video_height) == output_size(template, 160, 90)
        output = tmp_path / f"{ready.id}.mp4"
        output.write_bytes(storage_of(vod).objects[ready.storage_id])
        assert ready.file_size == output.stat().st_size
        assert len(decode_all(str(output)).frame_times) == 48
        assert HlsIndex.from_json(ready.hls_index) == read_index(str(output))  # kept for the playlists


async def test_the_cover_skips_black_opening_frames(clips: dict[str, str], tmp_path: Path) -> None:
    cover = tmp_path / "cover.jpg"
    await PyAVThumbnailer().make_cover(clips["black_start"], str(cover))

    with av.open(str(cover)) as image:
        picture = next(image.decode(video=0))
    assert luma_variance(picture) > 100  # the first 12 frames are flat black (variance 0)


async def test_a_rotated_phone_video_is_ready_in_portrait(
    service: tuple[Vod, MemoryJobQueue], clips: dict[str, str]
) -> None:
    vod, jobs = service
    user_id, video_id = await upload_and_create(vod, clips["rotated"], auto=(1,))

    await jobs.drain(vod.processing.handle)

    details = await vod.videos.get_video(user_id, video_id)
    assert (details.video.video_width, details.video.video_height) == (90, 160)
    assert [(p.status, p.video_width, p.video_height) for p in details.play_sets] == [(PlaySetStatus.READY, 90, 160)]


async def test_a_file_that_is_not_a_video_fails_the_upload_with_the_reason(
    service: tuple[Vod, MemoryJobQueue], broken: dict[str, str]
) -> None:
    vod, jobs = service
    _, video_id = await upload_and_create(vod, broken["text"], auto=(1,))

    await jobs.drain(vod.processing.handle)

    async with vod.ctx.uow() as uow:
        video = await uow.videos.get(video_id)
    assert video is not None
    assert video.status == VideoStatus.UPLOAD_FAILED
    assert "cannot read the file as media" in video.failure_reason


async def test_a_transcode_that_fails_moves_the_play_set_to_4_with_the_reason(
    service: tuple[Vod, MemoryJobQueue], clips: dict[str, str]
) -> None:
    vod, jobs = service
    user_id, video_id = await upload_and_create(vod, clips["normal"], skip=True)
    await jobs.drain(vod.processing.handle)
    video = (await vod.videos.get_video(user_id, video_id)).video
    storage_of(vod).objects[video.storage_id] = b"the original got damaged after the probe"

    started = await vod.transcoding.start_transcode(user_id, video_id, 2)
    await jobs.drain(vod.processing.handle)

    failed = await play_set(vod, started.id)
    assert failed.status == PlaySetStatus.TRANSCODE_FAILED
    assert failed.failure_reason.startswith("transcode failed: cannot read the file as media")


async def test_deleting_the_video_cancels_the_running_transcode_and_removes_its_files(
    service: tuple[Vod, MemoryJobQueue], spy: SpyTranscoder, clips: dict[str, str]
) -> None:
    vod, jobs = service
    user_id, video_id = await upload_and_create(vod, clips["long"], auto=(1, 2))
    ids: list[str] = []

    async def delete_once(fraction: float) -> None:
        if not ids:
            ids.extend(p.id for p in (await vod.videos.get_video(user_id, video_id)).play_sets)
            await vod.videos.delete_video(user_id, video_id)

    spy.hook = delete_once

    await jobs.drain(vod.processing.handle)

    assert spy.cancelled_leftovers == []  # partial outputs gone before the use case even cleans up
    assert [(await play_set(vod, i)).status for i in ids] == [PlaySetStatus.DELETED] * 2
    assert storage_of(vod).objects == {}
