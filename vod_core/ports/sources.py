"""Fetching a video's source from a URL (upload from URL, API.md C3)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol


class SourceUnavailable(Exception):
    """The source could not be fetched; the message is a short cause for people.

    ``"HTTP 404"``, ``"too large"``, ``"address not allowed"``, ``"timed out"``,
    ``"too many redirects"``, ``"connection failed"``: shown after
    ``"download failed: "`` in the video's ``failure_reason``, never a trace.
    """


@dataclass(frozen=True)
class Source:
    """An answer being received, its body in chunks.

    ``chunks`` raises :class:`SourceUnavailable` when the transfer breaks
    off, stalls past the read timeout, or passes the size limit. The
    answer's own Content-Type is not passed on: stored files get their type
    from their name, as uploads do.
    """

    url: str
    """Where the bytes come from, after redirects (for the logs)."""
    chunks: AsyncIterator[bytes]


class SourceFetcher(Protocol):
    def open(self, url: str, max_bytes: int) -> AbstractAsyncContextManager[Source]:
        """Start fetching ``url`` (http/https), following a bounded number of redirects.

        Each URL on the way is judged as the service's own requests are
        (:mod:`vod_core.url_guard`, and the address actually connected to),
        unless the fetcher was built to allow private addresses. Raises
        :class:`SourceUnavailable` on entry for a refused address, a non-2xx
        answer or an announced length over ``max_bytes``; the connection is
        released when the block ends, however it ends. Nothing is stored:
        the caller streams ``chunks`` where it wants them.
        """
        ...
