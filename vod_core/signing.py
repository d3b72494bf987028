"""Signed media URLs (API.md C1): ``expires`` and an HMAC-SHA256 over the video id and ``expires``.

A grant is made for one video and works for every file of that video until
``expires`` (unix seconds), so a player can follow a playlist's URIs with
one query. The signed message is ``"<video id>\\n<expires>"``: neither part
can contain a newline, so no two (id, expires) pairs sign the same bytes.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

MAX_EXPIRES_DIGITS = 12
"""Unix seconds up to the year 33658; longer values are refused before any arithmetic."""


@dataclass(frozen=True)
class UrlGrant:
    """The query that lets its holder fetch the media of ``video_id`` until ``expires``."""

    video_id: str
    expires: int
    signature: str

    def query(self) -> str:
        return f"expires={self.expires}&signature={self.signature}"


class UrlSigner:
    """Signs and checks grants with one deployment-wide key."""

    def __init__(self, key: str) -> None:
        if not key:
            raise ValueError("the URL signing key must not be empty")
        self._key = key.encode("utf-8")

    def sign(self, video_id: str, expires: int) -> str:
        message = f"{video_id}\n{expires}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def grant(self, video_id: str, expires: int) -> UrlGrant:
        return UrlGrant(video_id, expires, self.sign(video_id, expires))

    def verify(self, video_id: str, expires: str, signature: str, now: int) -> bool:
        """True when ``signature`` is this key's for ``video_id`` and ``expires`` and ``expires`` is not past.

        ``expires`` and ``signature`` are the raw query values: ``expires``
        must be the canonical ASCII decimal (no sign, no leading zero), so
        one grant has exactly one spelling. The comparison takes constant time.
        """
        if not (expires.isascii() and expires.isdigit() and len(expires) <= MAX_EXPIRES_DIGITS):
            return False
        if expires != str(int(expires)):
            return False
        if not signature.isascii():
            return False
        expected = self.sign(video_id, int(expires))
        return hmac.compare_digest(expected, signature) and int(expires) > now
