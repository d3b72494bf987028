"""The source fetcher's SSRF guard, limits and timeouts (upload from URL, API.md C3), over loopback only.

Names used here resolve to loopback through a resolver of the test's own;
the guard must refuse them before any connection, and every refusal is
asserted on what the loopback server saw. Nothing leaves the machine.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from adapters.sources import AiohttpSourceFetcher
from tests.security.test_webhook_ssrf import LoopbackResolver
from tests.support.media_server import MediaServer, media_server
from vod_core.ports.sources import SourceUnavailable

BODY = bytes(range(256)) * 64  # 16 KiB


@pytest.fixture
async def server() -> AsyncIterator[MediaServer]:
    async with media_server({"clip.mp4": BODY}) as running:
        yield running


async def fetch(fetcher: AiohttpSourceFetcher, url: str, max_bytes: int = 1 << 20) -> bytes:
    try:
        async with fetcher.open(url, max_bytes) as source:
            return b"".join([chunk async for chunk in source.chunks])
    finally:
        await fetcher.close()


async def refusal(fetcher: AiohttpSourceFetcher, url: str, max_bytes: int = 1 << 20) -> str:
    with pytest.raises(SourceUnavailable) as refused:
        await fetch(fetcher, url, max_bytes)
    return str(refused.value)


def loopback_for_every_name() -> aiohttp.TCPConnector:
    """A connector without the peer check: only the URL checks of the fetcher stand in the way."""
    return aiohttp.TCPConnector(resolver=LoopbackResolver())


async def test_a_file_arrives_whole_through_redirects(server: MediaServer) -> None:
    fetcher = AiohttpSourceFetcher(allow_private=True)
    assert await fetch(fetcher, server.url("/redirect/3")) == BODY
    assert server.requested == ["/redirect/3", "/redirect/2", "/redirect/1", "/files/clip.mp4"]


async def test_a_redirect_to_a_private_address_is_refused_before_it_is_followed(server: MediaServer) -> None:
    for target in (server.url("/files/clip.mp4"), server.url("/files/clip.mp4", host="localhost")):
        fetcher = AiohttpSourceFetcher(allow_private=False, connector=loopback_for_every_name)
        first = server.url(f"/to?url={target}", host="media.example.com")
        assert await refusal(fetcher, first) == "address not allowed"
    assert all(path.startswith("/to?") for path in server.requested)  # the private target was never asked


async def test_a_name_resolving_to_loopback_is_never_connected(server: MediaServer) -> None:
    resolver = LoopbackResolver()
    fetcher = AiohttpSourceFetcher(allow_private=False, resolver=resolver)
    assert await refusal(fetcher, server.url("/files/clip.mp4", host="media.example.com")) == "address not allowed"
    assert resolver.asked == ["media.example.com"]
    assert server.requested == []


async def test_a_private_literal_is_refused_without_a_request(server: MediaServer) -> None:
    fetcher = AiohttpSourceFetcher(allow_private=False)
    assert await refusal(fetcher, server.url("/files/clip.mp4")) == "address not allowed"
    assert server.requested == []


async def test_redirects_are_bounded(server: MediaServer) -> None:
    fetcher = AiohttpSourceFetcher(allow_private=True, max_redirects=2)
    assert await refusal(fetcher, server.url("/redirect/5")) == "too many redirects"
    assert len(server.requested) == 3


@pytest.mark.parametrize("path", ["/files/clip.mp4", "/stream/clip.mp4"])
async def test_a_source_over_the_limit_is_refused(server: MediaServer, path: str) -> None:
    """Announced (Content-Length) or not (chunked): past the limit, the download stops."""
    fetcher = AiohttpSourceFetcher(allow_private=True)
    assert await refusal(fetcher, server.url(path), max_bytes=len(BODY) - 1) == "too large"
    assert await fetch(AiohttpSourceFetcher(allow_private=True), server.url(path), max_bytes=len(BODY)) == BODY


async def test_an_error_answer_names_its_status(server: MediaServer) -> None:
    assert await refusal(AiohttpSourceFetcher(allow_private=True), server.url("/missing")) == "HTTP 404"


async def test_a_stalled_transfer_times_out(server: MediaServer) -> None:
    fetcher = AiohttpSourceFetcher(allow_private=True, read_timeout_s=0.2)
    assert await refusal(fetcher, server.url("/stall")) == "timed out"


async def test_a_refused_connection_is_named_without_details() -> None:
    async with media_server({}) as gone:
        url = gone.url("/files/clip.mp4")
    assert await refusal(AiohttpSourceFetcher(allow_private=True), url) == "connection failed"
