"""The webhook sender over aiohttp, refusing private targets unless allowed.

Callback URLs are checked when they are saved, but a public name can later
resolve to a private address (DNS rebinding), so the check that counts is
made here, for every delivery:

1. the URL is checked again with :mod:`vod_core.url_guard` (a URL stored
   before the rules tightened is refused here);
2. names go through a resolver that drops non-global addresses;
3. every socket is checked against the address it is about to connect to
   (the connector's ``socket_factory``), so whatever a name resolved to or
   however the client spelled an IP literal, no connection to a private
   peer is ever opened.

Redirects are not followed, so a public endpoint cannot bounce the
request to an internal one. Proxies from the environment are not used.
"""

from __future__ import annotations

import socket
from collections.abc import Mapping
from typing import Any

import aiohttp
from aiohappyeyeballs import AddrInfoType
from aiohttp.abc import AbstractResolver, ResolveResult

from vod_core.ports.webhooks import WebhookFailed, WebhookSender
from vod_core.url_guard import UnsafeUrl, check_url, is_public_address_text

MAX_ANSWER_BYTES = 64 * 1024


def public_socket(addr_info: AddrInfoType) -> socket.socket:
    """A socket for ``addr_info``, refused (OSError) unless its peer address is public.

    aiohttp calls this for every address it tries, IP literals included,
    right before connecting: the check is on the peer the socket will have.
    """
    family, type_, proto, _, peer = addr_info
    if not is_public_address_text(str(peer[0])):
        raise OSError(f"refusing to connect to private or loopback address {peer[0]}")
    return socket.socket(family=family, type=type_, proto=proto)


class PublicOnlyResolver(AbstractResolver):
    """Resolves through ``inner`` and keeps only global (public) addresses."""

    def __init__(self, inner: AbstractResolver) -> None:
        self._inner = inner

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        public = [r for r in await self._inner.resolve(host, port, family) if is_public_address_text(r["host"])]
        if not public:
            raise OSError(f"{host} resolves only to private or loopback addresses")
        return public

    async def close(self) -> None:
        await self._inner.close()


class AiohttpWebhookSender(WebhookSender):
    def __init__(
        self, *, timeout_s: float = 10.0, allow_private: bool = False, resolver: AbstractResolver | None = None
    ) -> None:
        """``resolver`` replaces the system resolver (tests); private answers are still dropped."""
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._allow_private = allow_private
        self._resolver = resolver
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None:
            resolver: AbstractResolver = self._resolver or aiohttp.ThreadedResolver()
            if self._allow_private:
                connector = aiohttp.TCPConnector(resolver=resolver, limit=100)
            else:
                connector = aiohttp.TCPConnector(
                    resolver=PublicOnlyResolver(resolver), limit=100, socket_factory=public_socket
                )
            self._session = aiohttp.ClientSession(
                connector=connector, timeout=self._timeout, headers={"User-Agent": "vod-webhooks/1"}, trust_env=False
            )
        return self._session

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        try:
            check_url(url, allow_private=self._allow_private)
        except UnsafeUrl as exc:
            raise WebhookFailed(f"not called: the callback URL {exc}") from None
        options: dict[str, Any] = {"data": body, "headers": dict(headers), "allow_redirects": False}
        try:
            async with self._open().post(url, **options) as response:
                await response.content.read(MAX_ANSWER_BYTES)  # the body is ignored; never buffer a huge one
                return response.status
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise WebhookFailed(str(exc) or type(exc).__name__) from exc

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
