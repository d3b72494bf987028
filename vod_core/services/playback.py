"""HLS playlists of a video, built from the database on every request (API.md C1).

Who may fetch a playlist is the rule of the video's files
(:func:`vod_core.services.access.video_permit`); every URI inside carries the
query the request came with (none for a public video's unsigned request),
so a player follows the playlists to the files with the access it was
given. Reading play sets afresh each time is what makes a play set that
becomes ready (or is deleted) appear (or disappear) at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from vod_core import hls
from vod_core.errors import GetPlaySetFailed, GetVideoFailed, NotFound
from vod_core.ids import MAX_ID_LENGTH
from vod_core.play_set import PlaySet
from vod_core.ports.unit_of_work import ReadUnitOfWork
from vod_core.services.access import Audience, MediaAccess, MediaQuery, Permit, video_permit
from vod_core.services.context import Context
from vod_core.services.failures import fails_as
from vod_core.signing import UrlGrant

MEDIA_PLAYLIST = "media"
"""A media playlist's name below its play set: ``/hls/<video id>/<play set id>/media.m3u8``."""


@dataclass(frozen=True)
class Playlist:
    """A playlist's text, the permit it was served under, and the video its bytes count for."""

    text: str
    permit: Permit
    video_id: str


class Playback:
    def __init__(self, ctx: Context, access: MediaAccess) -> None:
        self._ctx = ctx
        self._access = access

    @fails_as(GetVideoFailed)
    async def master(self, video_id: str, query: MediaQuery) -> Playlist:
        """The master playlist over the video's ready, packaged play sets, lowest first.

        403 (3108) / 404 as for the video's files; 404 too while no play set
        can be played as HLS (a master playlist without variants is not one).
        """
        permit, play_sets = await self._permitted(video_id, query)
        grant = _grant(video_id, query, permit)
        if not hls.variants(play_sets):
            raise NotFound(f"video {video_id} has no ready HLS rendition")
        links = self._ctx.links
        text = hls.master_playlist(play_sets, lambda p: links.playlist_url(video_id, f"{p.id}/{MEDIA_PLAYLIST}", grant))
        return Playlist(text, permit, video_id)

    @fails_as(GetPlaySetFailed)
    async def media(self, video_id: str, play_set_id: str, query: MediaQuery) -> Playlist:
        """The media playlist of one ready, packaged play set: byte ranges of its file at ``/files``."""
        permit, play_sets = await self._permitted(video_id, query)
        found = next((p for p in play_sets if p.id == play_set_id), None)
        index = hls.hls_index(found) if found is not None else None
        if found is None or index is None:
            raise NotFound(f"play set {play_set_id} of video {video_id} has no HLS rendition")
        # Renditions are fragmented MP4 (CMAF): the extension lets FFmpeg-based players accept the segments.
        file_url = self._ctx.links.file_url(found.storage_id, _grant(video_id, query, permit), "mp4")
        return Playlist(hls.media_playlist(index, file_url), permit, video_id)

    async def _permitted(self, video_id: str, query: MediaQuery) -> tuple[Permit, list[PlaySet]]:
        signer = await self._access.signer()  # before the reader: loading the key may need a transaction
        now = int(self._ctx.clock.now().timestamp())
        async with self._ctx.reader() as uow:
            video = await uow.videos.get(video_id) if _plausible_id(video_id) else None
            permit = video_permit(video, query, signer, now)
            return permit, await _play_sets(uow, video_id)


def _plausible_id(video_id: str) -> bool:
    """A URL is not a parameter the caller chose: an id no video can have is simply not found."""
    return 0 < len(video_id) <= MAX_ID_LENGTH and video_id.isprintable()


async def _play_sets(uow: ReadUnitOfWork, video_id: str) -> list[PlaySet]:
    return await uow.play_sets.live_for_videos([video_id])


def _grant(video_id: str, query: MediaQuery, permit: Permit) -> UrlGrant | None:
    """The request's own signature for the URIs inside (its ``expires`` was checked canonical), or none."""
    if permit.audience is not Audience.SIGNED:
        return None
    return UrlGrant(video_id, permit.expires, query.signature or "")
