"""One contract for every SourceFetcher: the memory one the use-case tests use, and aiohttp over loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

import pytest

from adapters.memory.sources import MemorySourceFetcher
from adapters.sources import AiohttpSourceFetcher
from tests.support.media_server import MediaServer, media_server
from vod_core.ports.sources import Source, SourceFetcher, SourceUnavailable

BODY = bytes(range(256)) * 4096  # 1 MiB: more than one chunk of either fetcher

MakeFetcher = Callable[[bool], SourceFetcher]


@pytest.fixture
async def server() -> AsyncIterator[MediaServer]:
    async with media_server({"clip.mp4": BODY}) as running:
        yield running


@pytest.fixture(params=["memory", "aiohttp"])
async def make_fetcher(request: pytest.FixtureRequest, server: MediaServer) -> AsyncIterator[MakeFetcher]:
    made: list[AiohttpSourceFetcher] = []

    def make(allow_private: bool) -> SourceFetcher:
        if request.param == "memory":
            return MemorySourceFetcher({server.url("/files/clip.mp4"): BODY}, allow_private=allow_private)
        fetcher = AiohttpSourceFetcher(allow_private=allow_private)
        made.append(fetcher)
        return fetcher

    yield make
    for fetcher in made:
        await fetcher.close()


async def body_of(opened: AbstractAsyncContextManager[Source]) -> bytes:
    async with opened as source:
        return b"".join([chunk async for chunk in source.chunks])


async def test_the_bytes_arrive_whole_in_chunks(make_fetcher: MakeFetcher, server: MediaServer) -> None:
    url = server.url("/files/clip.mp4")
    async with make_fetcher(True).open(url, len(BODY)) as source:
        chunks = [chunk async for chunk in source.chunks]
    assert b"".join(chunks) == BODY and source.url == url
    assert len(chunks) > 1  # streamed, not one buffer


@pytest.mark.parametrize(
    ("path", "limit", "cause"),
    [("/files/other.mp4", len(BODY), "HTTP 404"), ("/files/clip.mp4", len(BODY) - 1, "too large")],
)
async def test_a_failed_fetch_names_its_cause(
    make_fetcher: MakeFetcher, server: MediaServer, path: str, limit: int, cause: str
) -> None:
    with pytest.raises(SourceUnavailable, match=f"^{cause}$"):
        await body_of(make_fetcher(True).open(server.url(path), limit))


async def test_a_private_address_is_refused_unless_allowed(make_fetcher: MakeFetcher, server: MediaServer) -> None:
    with pytest.raises(SourceUnavailable, match=r"^address not allowed$"):
        await body_of(make_fetcher(False).open(server.url("/files/clip.mp4"), len(BODY)))
    assert server.requested == []
