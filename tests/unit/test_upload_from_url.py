"""Upload from URL (API.md C3) over in-memory adapters: create at once, download in the background."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.memory.fake_media import fake_video_bytes
from adapters.memory.sources import MemorySourceFetcher
from adapters.memory.storage import MemoryStorage
from entrypoints.config import Config
from tests.support.world import World, new_world
from vod_core.errors import InvalidParameter, VideoUploadFailed
from vod_core.ports.jobs import Job, JobKind
from vod_core.reasons import MAX_REASON_LENGTH, short_reason
from vod_core.services.ingest import source_name
from vod_core.services.validation import Page
from vod_core.url_guard import UnsafeUrl, check_url
from vod_core.video import VideoStatus

CLIP_URL = "https://media.example.com/films/holiday%20clip.mp4?sig=1"


async def world_with(pages: dict[str, bytes], **config: object) -> tuple[World, MemorySourceFetcher]:
    fetcher = MemorySourceFetcher(pages, allow_private=bool(config.get("allow_private_urls")))
    return await new_world(Config.in_memory(**config), sources=fetcher), fetcher


def stored(world: World) -> dict[str, bytes]:
    storage = world.vod.ctx.storage
    assert isinstance(storage, MemoryStorage)
    return storage.objects


async def test_a_url_video_is_uploading_at_once_and_ready_after_the_download() -> None:
    world, fetcher = await world_with({CLIP_URL: fake_video_bytes()})
    video = await world.vod.videos.create_video(world.alice, source_url=CLIP_URL, source_type="feed")
    assert video.status == VideoStatus.UPLOADING and video.video_name == "holiday clip.mp4"
    assert world.jobs.pending == [Job(JobKind.DOWNLOAD_SOURCE, video.id)]
    assert fetcher.opened == []  # nothing is fetched inside the request

    await world.jobs.drain(world.vod.processing.handle)
    ready = (await world.vod.videos.get_video(world.alice, video.id)).video
    assert ready.status == VideoStatus.READY and ready.failure_reason == ""
    assert (ready.video_width, ready.video_height, ready.file_size) == (1280, 720, len(fake_video_bytes()))
    assert stored(world)[ready.storage_id] == fake_video_bytes()
    async with world.vod.ctx.reader() as uow:
        original = await uow.files.get(ready.storage_id)
    assert original is not None and original.video_id == video.id and original.filename == "holiday clip.mp4"
    assert original.content_type == "video/mp4"


@pytest.mark.parametrize(
    ("pages", "limit", "reason"),
    [
        ({}, None, "download failed: HTTP 404"),
        ({CLIP_URL: fake_video_bytes(padding=5000)}, 1000, "download failed: too large"),
        ({CLIP_URL: b"an HTML page, not a video"}, None, "not a video: no video stream found"),
    ],
)
async def test_a_failed_download_leaves_the_video_failed_with_its_reason(
    pages: dict[str, bytes], limit: int | None, reason: str
) -> None:
    world, _ = await world_with(pages, **({"max_upload_bytes": limit} if limit else {}))
    video = await world.vod.videos.create_video(world.alice, source_url=CLIP_URL)
    await world.jobs.drain(world.vod.processing.handle)
    failed = (await world.vod.videos.get_video(world.alice, video.id)).video
    assert failed.status == VideoStatus.UPLOAD_FAILED and failed.failure_reason == reason
    with pytest.raises(VideoUploadFailed, match="3113 upload from URL failed"):
        await world.vod.transcoding.start_transcode(world.alice, video.id, 1)
    if not reason.startswith("not a video"):
        assert stored(world) == {}  # nothing of a failed download is kept


async def test_the_same_url_twice_is_two_videos() -> None:
    world, _ = await world_with({CLIP_URL: fake_video_bytes()})
    first = await world.vod.videos.create_video(world.alice, source_url=CLIP_URL)
    second = await world.vod.videos.create_video(world.alice, source_url=CLIP_URL)
    await world.jobs.drain(world.vod.processing.handle)
    page = await world.vod.videos.list_videos(world.alice, Page())
    assert {d.video.id for d in page.videos} == {first.id, second.id}
    assert {d.video.status for d in page.videos} == {VideoStatus.READY}
    assert first.storage_id != second.storage_id


async def test_a_redelivered_download_job_is_harmless() -> None:
    world, fetcher = await world_with({CLIP_URL: fake_video_bytes()})
    video = await world.vod.videos.create_video(world.alice, source_url=CLIP_URL)
    await world.vod.processing.handle(Job(JobKind.DOWNLOAD_SOURCE, video.id))
    await world.vod.processing.handle(Job(JobKind.DOWNLOAD_SOURCE, video.id, attempt=2))
    assert fetcher.opened == [CLIP_URL]  # the second run found it downloaded (and ready)
    assert (await world.vod.videos.get_video(world.alice, video.id)).video.status == VideoStatus.READY


async def test_a_download_stored_before_a_crash_goes_on_to_probing() -> None:
    """A worker killed after recording the file but before probing: the redelivered job only probes."""
    world, fetcher = await world_with({CLIP_URL: fake_video_bytes()})
    video = await world.vod.videos.create_video(world.alice, source_url=CLIP_URL)
    downloads = world.vod.processing._sources  # the first half of the job, as if killed right after it
    assert await downloads.download(video.id)
    assert (await world.vod.processing.unfinished()) == [Job(JobKind.DOWNLOAD_SOURCE, video.id)]
    await world.vod.processing.handle(Job(JobKind.DOWNLOAD_SOURCE, video.id, attempt=2))
    assert fetcher.opened == [CLIP_URL]
    assert (await world.vod.videos.get_video(world.alice, video.id)).video.status == VideoStatus.READY


async def test_a_video_deleted_during_its_download_keeps_no_bytes() -> None:
    world, _ = await world_with({CLIP_URL: fake_video_bytes()})
    video = await world.vod.videos.create_video(world.alice, source_url=CLIP_URL)
    await world.vod.videos.delete_video(world.alice, video.id)
    await world.jobs.drain(world.vod.processing.handle)
    assert stored(world) == {}


async def test_recovery_requeues_an_unfinished_download() -> None:
    world, _ = await world_with({CLIP_URL: fake_video_bytes()})
    video = await world.vod.videos.create_video(world.alice, source_url=CLIP_URL)
    world.jobs.pending.clear()  # the job was lost with the process
    assert await world.vod.processing.recover() == [Job(JobKind.DOWNLOAD_SOURCE, video.id)]
    assert await world.vod.processing.recover() == []  # queued now: not twice


async def test_a_download_given_up_says_so() -> None:
    world, _ = await world_with({CLIP_URL: fake_video_bytes()})
    video = await world.vod.videos.create_video(world.alice, source_url=CLIP_URL)
    await world.vod.processing.handle(Job(JobKind.DOWNLOAD_SOURCE, video.id, attempt=4))
    failed = (await world.vod.videos.get_video(world.alice, video.id)).video
    assert failed.status == VideoStatus.UPLOAD_FAILED
    assert failed.failure_reason == "download failed: gave up after 3 attempts"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({}, "storage_id"),
        ({"storage_id": "s1", "source_url": CLIP_URL}, "source_url"),
        ({"source_url": ""}, "source_url"),
        ({"source_url": "ftp://media.example.com/a.mp4"}, "source_url"),
        ({"source_url": "http://127.0.0.1:8000/a.mp4"}, "source_url"),
        ({"source_url": "http://localhost/a.mp4"}, "source_url"),
        ({"source_url": "http://user:pw@media.example.com/a.mp4"}, "source_url"),
        ({"source_url": "https://media.example.com/" + "a" * 2048}, "source_url"),
    ],
)
async def test_bad_sources_are_refused_naming_the_field(fields: dict[str, str], field: str) -> None:
    world, _ = await world_with({})
    with pytest.raises(InvalidParameter) as refused:
        await world.vod.videos.create_video(world.alice, **fields)
    assert refused.value.field == field
    assert (await world.vod.videos.list_videos(world.alice, Page())).count == 0
    assert world.jobs.pending == []


async def test_private_source_urls_are_allowed_only_when_configured() -> None:
    url = "http://127.0.0.1:8000/a.mp4"
    world, _ = await world_with({url: fake_video_bytes()}, allow_private_urls=True)
    video = await world.vod.videos.create_video(world.alice, source_url=url)
    await world.jobs.drain(world.vod.processing.handle)
    assert (await world.vod.videos.get_video(world.alice, video.id)).video.status == VideoStatus.READY


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.text(max_size=80), st.from_regex(r"\Ahttps?://[a-z0-9.:\[\]@%-]{0,30}(/[ -~]{0,20})?\Z")))
async def test_a_source_url_is_accepted_exactly_when_the_url_guard_accepts_it(url: str) -> None:
    world, _ = await world_with({})
    try:
        check_url(url, allow_private=False)
        acceptable = not any("\ud800" <= ch <= "\udfff" for ch in url)  # what require_text adds
    except UnsafeUrl:
        acceptable = False
    if not acceptable:
        with pytest.raises(InvalidParameter) as refused:
            await world.vod.videos.create_video(world.alice, source_url=url)
        assert refused.value.field == "source_url" and world.jobs.pending == []
        return
    video = await world.vod.videos.create_video(world.alice, source_url=url)
    assert video.status == VideoStatus.UPLOADING and video.source_url == url


@given(st.text())
def test_a_video_name_from_any_url_is_bounded_printable_text(url: str) -> None:
    name = source_name(url)
    assert 0 < len(name) <= 255 and all(ch.isprintable() for ch in name)


@given(st.text())
def test_failure_reasons_are_one_bounded_line(text: str) -> None:
    reason = short_reason(text)
    assert len(reason) <= MAX_REASON_LENGTH and "\n" not in reason and "\r" not in reason
    assert reason == "" or reason.rstrip("…") in text


@pytest.mark.parametrize(
    ("env", "private_sources", "private_callbacks"),
    [
        ({}, False, False),
        ({"VOD_ALLOW_PRIVATE_URLS": "1"}, True, True),
        ({"VOD_WEBHOOK_ALLOW_PRIVATE": "1"}, False, True),
    ],
)
async def test_allow_private_urls_covers_sources_and_callbacks(
    env: dict[str, str], private_sources: bool, private_callbacks: bool
) -> None:
    config = Config.from_env(env)
    world = await new_world(Config.in_memory(**vars_of(config)), sources=MemorySourceFetcher())
    loopback = "http://127.0.0.1:8799/x.mp4"
    if private_callbacks:
        await world.vod.preferences.set_callback(world.alice, "video", loopback)
    else:
        with pytest.raises(InvalidParameter):
            await world.vod.preferences.set_callback(world.alice, "video", loopback)
    if private_sources:
        await world.vod.videos.create_video(world.alice, source_url=loopback)
    else:
        with pytest.raises(InvalidParameter):
            await world.vod.videos.create_video(world.alice, source_url=loopback)


def vars_of(config: Config) -> dict[str, bool]:
    return {"allow_private_urls": config.allow_private_urls, "webhook_allow_private": config.webhook_allow_private}
