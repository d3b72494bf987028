"""A response whose constant headers are encoded once per process instead of on every response.

Sanic sanitises and encodes every header of every response while it writes
the head: two ``str.translate``, an f-string and two ``encode`` per header.
A media response carries about fifteen headers and most of them never
change (the media policy and CORS of :mod:`entrypoints.http.security_headers`,
``Accept-Ranges``, the cache policy of public media, ``Connection``, the
usual media types); on 1 MiB ranges, where the body costs one ``sendfile``,
building the head was a noticeable part of each request. The pairs listed
here are encoded when the module loads, exactly as Sanic would encode them;
any other header (validators, lengths, ranges, request ids) goes through
Sanic's own sanitising as before, so the head is byte for byte the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from sanic import HTTPResponse
from sanic.helpers import has_message_body

from entrypoints.http.security_headers import EVERY_RESPONSE, MEDIA, PREFLIGHT
from vod_core.media_types import INLINE_TYPES

STABLE_PUBLIC = "public, max-age=31536000, immutable"
"""``Cache-Control`` of a public video's stable unsigned media URL."""
OWNER_ONLY = "private, no-store"
"""``Cache-Control`` of an unlinked upload fetched by its owner."""

_SANITISED = str.maketrans("", "", "\r\n\x00")  # what Sanic strips from header names and values


def _encode(name: str, value: Any) -> tuple[bytes, bytes]:
    """A header as Sanic's ``BaseHTTPResponse.processed_headers`` encodes it."""
    return name.translate(_SANITISED).encode("ascii"), f"{value}".translate(_SANITISED).encode(errors="surrogateescape")


def _constant_pairs() -> Iterable[tuple[str, str]]:
    for headers in (EVERY_RESPONSE, MEDIA, PREFLIGHT):
        yield from headers.items()
    yield "Accept-Ranges", "bytes"
    yield "Cache-Control", STABLE_PUBLIC
    yield "Cache-Control", OWNER_ONLY
    yield "connection", "keep-alive"  # set by Sanic on every HTTP/1 response
    yield "connection", "close"
    yield "alt-svc", ""
    for media_type in sorted(INLINE_TYPES):
        yield "content-type", media_type


ENCODED: Mapping[tuple[str, Any], tuple[bytes, bytes]] = {pair: _encode(*pair) for pair in _constant_pairs()}


class MediaResponse(HTTPResponse):
    """An :class:`HTTPResponse` that takes the encoding of its constant headers from :data:`ENCODED`."""

    @property
    def processed_headers(self) -> Iterator[tuple[bytes, bytes]]:
        if has_message_body(self.status):  # type: ignore[no-untyped-call]  # as Sanic does
            self.headers.setdefault("content-type", self.content_type)
        return (ENCODED.get(pair) or _encode(*pair) for pair in self.headers.items())
