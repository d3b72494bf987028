"""Connections to URLs users hand us (callbacks, source URLs): public peers only, unless allowed.

A URL is checked when it is given, but a public name can later resolve to a
private address (DNS rebinding), so the check that counts is made when
connecting, for every request:

1. names go through a resolver that drops non-global addresses;
2. every socket is checked against the address it is about to connect to
   (the connector's ``socket_factory``), so whatever a name resolved to or
   however the client spelled an IP literal, no connection to a private
   peer is ever opened.

Callers still check each URL with :func:`vod_core.url_guard.check_url`
before a request (and each redirect target, if they follow any).
"""

from __future__ import annotations

import socket

import aiohttp
from aiohappyeyeballs import AddrInfoType
from aiohttp.abc import AbstractResolver, ResolveResult

from vod_core.url_guard import is_public_address_text


class PrivateAddressRefused(OSError):
    """A connection to a non-public peer was not opened (the caller may name the cause)."""


def public_socket(addr_info: AddrInfoType) -> socket.socket:
    """A socket for ``addr_info``, refused (OSError) unless its peer address is public.

    aiohttp calls this for every address it tries, IP literals included,
    right before connecting: the check is on the peer the socket will have.
    """
    family, type_, proto, _, peer = addr_info
    if not is_public_address_text(str(peer[0])):
        raise PrivateAddressRefused(f"refusing to connect to private or loopback address {peer[0]}")
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
            raise PrivateAddressRefused(f"{host} resolves only to private or loopback addresses")
        return public

    async def close(self) -> None:
        await self._inner.close()


def outbound_connector(
    *, allow_private: bool, resolver: AbstractResolver | None = None, limit: int = 100
) -> aiohttp.TCPConnector:
    """A connector that opens connections to public peers only, unless ``allow_private``.

    ``resolver`` replaces the system resolver (tests); private answers are still dropped.
    """
    inner: AbstractResolver = resolver or aiohttp.ThreadedResolver()
    if allow_private:
        return aiohttp.TCPConnector(resolver=inner, limit=limit)
    return aiohttp.TCPConnector(resolver=PublicOnlyResolver(inner), limit=limit, socket_factory=public_socket)
