"""The webhook sender over aiohttp, refusing private targets unless allowed.

Callback URLs are checked when they are saved, but a public name can later
resolve to a private address (DNS rebinding), so the check that counts is
made here, on the addresses the connection actually uses: IP literals
before connecting, names through a resolver that drops non-global
addresses. Redirects are not followed, so a public endpoint cannot bounce
the request to an internal one.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from vod_core.ports.webhooks import WebhookFailed, WebhookSender
from vod_core.urls import is_private_address

MAX_ANSWER_BYTES = 64 * 1024


def _is_global(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_global
    except ValueError:
        return False


class PublicOnlyResolver(AbstractResolver):
    """Resolves through ``inner`` and keeps only global (public) addresses."""

    def __init__(self, inner: AbstractResolver) -> None:
        self._inner = inner

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        public = [r for r in await self._inner.resolve(host, port, family) if _is_global(r["host"])]
        if not public:
            raise OSError(f"{host} resolves only to private or loopback addresses")
        return public

    async def close(self) -> None:
        await self._inner.close()


class AiohttpWebhookSender(WebhookSender):
    def __init__(self, *, timeout_s: float = 10.0, allow_private: bool = False) -> None:
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._allow_private = allow_private
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None:
            resolver: AbstractResolver = aiohttp.ThreadedResolver()
            if not self._allow_private:
                resolver = PublicOnlyResolver(resolver)
            connector = aiohttp.TCPConnector(resolver=resolver, limit=100)
            self._session = aiohttp.ClientSession(
                connector=connector, timeout=self._timeout, headers={"User-Agent": "vod-webhooks/1"}
            )
        return self._session

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        host = urlsplit(url).hostname or ""
        if not self._allow_private and is_private_address(host):
            raise WebhookFailed(f"refusing to call private or loopback address {host}")
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
