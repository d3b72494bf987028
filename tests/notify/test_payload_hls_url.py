"""``hls_url`` in webhook payloads: the video's signed master playlist, or "" while nothing is ready to list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs, urlsplit

from adapters.memory import MemoryJobQueue
from adapters.memory.fake_media import FakeTranscoder
from tests.jobs.helpers import fresh_memory_vod, new_video, user_with_auto_transcode
from vod_core import Vod
from vod_core.events import PLAY_SET_READY, VIDEO_READY
from vod_core.ports.media import ProgressCallback, Rendition, RenditionRequest
from vod_core.services.access import MediaQuery


class PlainMp4Transcoder(FakeTranscoder):
    """Renditions as plain MP4s without an HLS index, as play sets made before packaging existed."""

    async def transcode(
        self, source_path: str, requests: Sequence[RenditionRequest], progress: ProgressCallback
    ) -> list[Rendition]:
        return [replace(r, hls=None) for r in await super().transcode(source_path, requests, progress)]


async def payloads(vod: Vod, jobs: MemoryJobQueue, templates: Sequence[int]) -> tuple[str, list[dict[str, Any]]]:
    """A new video of a user auto-transcoding ``templates``, processed to the end; its id and event payloads."""
    user = await user_with_auto_transcode(vod, templates=templates)
    video_id = await new_video(vod, user)
    await jobs.drain(vod.processing.handle)
    async with vod.ctx.uow() as uow:
        due = await uow.outbox.due(vod.ctx.clock.now(), 100)
    return video_id, [e.payload for e in sorted(due, key=lambda e: e.created_at)]


async def assert_signed_master(vod: Vod, video_id: str, url: str) -> None:
    parts = urlsplit(url)
    assert parts.path == f"/hls/{video_id}/master.m3u8"
    query = {name: values[0] for name, values in parse_qs(parts.query, keep_blank_values=True).items()}
    signer = await vod.access.signer()
    now = int(vod.ctx.clock.now().timestamp())
    assert signer.verify(video_id, query["expires"], query["signature"], now)
    assert not signer.verify("another-video", query["expires"], query["signature"], now)


async def test_video_ready_has_no_hls_url_and_each_ready_play_set_announces_the_signed_master_playlist() -> None:
    jobs = MemoryJobQueue()
    vod = fresh_memory_vod(jobs)
    video_id, events = await payloads(vod, jobs, (1, 2))

    assert [e["event_type"] for e in events] == [VIDEO_READY, PLAY_SET_READY, PLAY_SET_READY]
    ready, *play_sets_ready = events
    assert ready["hls_url"] == ""  # its play sets have only just been started
    for payload in play_sets_ready:  # the first one too, while the other rendition is still being stored
        await assert_signed_master(vod, video_id, payload["hls_url"])
    query = parse_qs(urlsplit(play_sets_ready[-1]["hls_url"]).query)
    master = await vod.playback.master(video_id, MediaQuery(query["expires"][0], query["signature"][0]))
    assert master.text.count("#EXT-X-STREAM-INF:") == 2


async def test_a_play_set_without_an_hls_index_announces_no_master_playlist() -> None:
    jobs = MemoryJobQueue()
    vod = fresh_memory_vod(jobs, transcoder=PlainMp4Transcoder())
    _, events = await payloads(vod, jobs, (1,))

    assert [(e["event_type"], e["hls_url"]) for e in events] == [(VIDEO_READY, ""), (PLAY_SET_READY, "")]
    assert events[1]["url"]  # the rendition itself is announced, playable as one progressive file
