"""Adapters for the clock, ids and media links of a running service."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from vod_core.ports.clock import Clock
from vod_core.ports.ids import IdGenerator
from vod_core.ports.links import MediaLinks
from vod_core.signing import UrlGrant

BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
ID_LENGTH = 10  # 36**10 ≈ 2**51.7 > the contract's 40 random bits


class SystemClock(Clock):
    def now(self) -> datetime:
        return datetime.now(UTC)


class RandomIds(IdGenerator):
    def new_id(self) -> str:
        return "".join(secrets.choice(BASE36) for _ in range(ID_LENGTH))

    def new_secret(self) -> str:
        return secrets.token_urlsafe(32)


class PublicFileLinks(MediaLinks):
    """Stored files are served at ``<public base URL>/files/<storage id>?expires=...&signature=...``,
    playlists at ``<public base URL>/hls/<video id>/<name>.m3u8`` with the same query."""

    def __init__(self, base_url: str) -> None:
        self._base = base_url.rstrip("/")

    def file_url(self, storage_id: str, grant: UrlGrant | None, extension: str = "") -> str:
        suffix = f".{extension}" if extension else ""
        return self._signed(f"{self._base}/files/{storage_id}{suffix}", grant)

    def playlist_url(self, video_id: str, playlist: str, grant: UrlGrant | None) -> str:
        return self._signed(f"{self._base}/hls/{video_id}/{playlist}.m3u8", grant)

    @staticmethod
    def _signed(url: str, grant: UrlGrant | None) -> str:
        return url if grant is None else f"{url}?{grant.query()}"
