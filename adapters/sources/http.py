"""Fetching sources over http(s) with aiohttp: public peers only, redirects followed here, one by one.

aiohttp would follow redirects itself, but then a public URL could bounce the
request to an internal one before anything checks it; so redirects are
followed here, a bounded number, each target checked with
:func:`vod_core.url_guard.check_url` before it is requested, and every
connection goes through :func:`adapters.outbound.outbound_connector`.

Timeouts bound the connect and each read, not the whole transfer: a large
file on a slow but steady link is fine, a stalled one is not.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import aiohttp
from aiohttp.abc import AbstractResolver
from yarl import URL

from adapters.outbound import PrivateAddressRefused, outbound_connector
from vod_core.ports.sources import Source, SourceFetcher, SourceUnavailable
from vod_core.url_guard import UnsafeUrl, check_url

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CHUNK_BYTES = 256 * 1024


def cause_of(error: BaseException) -> str:
    """The short, human cause of a failed request (the exception's text may hold anything)."""
    if isinstance(error, TimeoutError):  # aiohttp's connect and read timeouts are TimeoutErrors
        return "timed out"
    if isinstance(error, aiohttp.ClientConnectorError) and isinstance(error.os_error, PrivateAddressRefused):
        return "address not allowed"
    if isinstance(error, aiohttp.ClientPayloadError):
        return "connection lost"
    return "connection failed"


class AiohttpSourceFetcher(SourceFetcher):
    def __init__(
        self,
        *,
        allow_private: bool = False,
        connect_timeout_s: float = 10.0,
        read_timeout_s: float = 30.0,
        max_redirects: int = 5,
        resolver: AbstractResolver | None = None,
        connector: Callable[[], aiohttp.BaseConnector] | None = None,
    ) -> None:
        """``resolver`` replaces the system resolver (tests); private answers are still dropped.

        ``connector`` replaces the public-only connector (tests of the URL
        checks alone, which still apply to every URL and redirect).
        """
        self._allow_private = allow_private
        self._connector = connector or (lambda: outbound_connector(allow_private=allow_private, resolver=resolver))
        self._timeout = aiohttp.ClientTimeout(total=None, sock_connect=connect_timeout_s, sock_read=read_timeout_s)
        self._max_redirects = max_redirects
        self._session: aiohttp.ClientSession | None = None

    def _open_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=self._connector(),
                timeout=self._timeout,
                headers={"User-Agent": "vod-ingest/1"},
                trust_env=False,  # no proxies from the environment: the peer check must see the real target
            )
        return self._session

    @asynccontextmanager
    async def open(self, url: str, max_bytes: int) -> AsyncIterator[Source]:
        response = await self._follow(url)
        try:
            if not 200 <= response.status < 300:
                raise SourceUnavailable(f"HTTP {response.status}")
            length = response.content_length
            if length is not None and length > max_bytes:
                raise SourceUnavailable("too large")
            yield Source(str(response.url), self._body(response, max_bytes))
        finally:
            response.release()

    async def _follow(self, url: str) -> aiohttp.ClientResponse:
        session = self._open_session()
        for _ in range(self._max_redirects + 1):
            try:
                check_url(url, allow_private=self._allow_private)
            except UnsafeUrl:
                raise SourceUnavailable("address not allowed") from None
            try:
                response = await session.get(url, allow_redirects=False)
            except (aiohttp.ClientError, TimeoutError, OSError) as exc:
                raise SourceUnavailable(cause_of(exc)) from exc
            location = response.headers.get("Location")
            if response.status not in REDIRECT_STATUSES or location is None:
                return response
            response.release()
            try:
                url = str(response.url.join(URL(location)))
            except ValueError:
                raise SourceUnavailable("bad redirect") from None
        raise SourceUnavailable("too many redirects")

    @staticmethod
    async def _body(response: aiohttp.ClientResponse, max_bytes: int) -> AsyncIterator[bytes]:
        received = 0
        try:
            async for chunk in response.content.iter_chunked(CHUNK_BYTES):
                received += len(chunk)
                if received > max_bytes:  # decoded bytes: a compressed answer cannot slip past the limit
                    raise SourceUnavailable("too large")
                yield chunk
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise SourceUnavailable(cause_of(exc)) from exc

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
