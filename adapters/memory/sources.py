"""Sources served from memory: URL -> bytes, for use-case tests and embedding without a network."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from vod_core.ports.sources import Source, SourceFetcher, SourceUnavailable
from vod_core.url_guard import UnsafeUrl, check_url

CHUNK_BYTES = 64 * 1024


class MemorySourceFetcher(SourceFetcher):
    """Answers each URL of ``pages`` with its bytes and any other with HTTP 404.

    URLs are judged like the real fetcher's (``allow_private``), so a test of
    the refusal needs no network at all. ``opened`` lists the URLs fetched.
    """

    def __init__(self, pages: dict[str, bytes] | None = None, *, allow_private: bool = True) -> None:
        self.pages = dict(pages or {})
        self.opened: list[str] = []
        self._allow_private = allow_private

    @asynccontextmanager
    async def open(self, url: str, max_bytes: int) -> AsyncIterator[Source]:
        try:
            check_url(url, allow_private=self._allow_private)
        except UnsafeUrl:
            raise SourceUnavailable("address not allowed") from None
        self.opened.append(url)
        body = self.pages.get(url)
        if body is None:
            raise SourceUnavailable("HTTP 404")
        if len(body) > max_bytes:
            raise SourceUnavailable("too large")
        yield Source(url, _chunks(body))


async def _chunks(body: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(body), CHUNK_BYTES):
        yield body[start : start + CHUNK_BYTES]
