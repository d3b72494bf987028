"""The webhook sender's send-time SSRF guard (issue 11 item 1), over loopback only.

Every name used here resolves to loopback, through the system (``localhost``)
or a resolver of the test's own; no request can leave the machine.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.test_utils import TestServer

from adapters.notify.webhooks import AiohttpWebhookSender
from adapters.outbound import public_socket
from tests.notify.receiver import Receiver, running_receiver
from vod_core.ports.webhooks import WebhookFailed

HEADERS = {"X-VOD-Delivery": "d", "X-VOD-Event": "e", "X-VOD-Signature": "t=1,v1=0"}


class LoopbackResolver(AbstractResolver):
    """Answers 127.0.0.1 for every name, as a rebinding DNS server would."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.asked.append(host)
        return [ResolveResult(hostname=host, host="127.0.0.1", port=port, family=socket.AF_INET, proto=0, flags=0)]

    async def close(self) -> None:
        pass


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with running_receiver() as r:
        yield r


def port_of(receiver: Receiver) -> int:
    return int(receiver.url.rsplit(":", 1)[1].split("/", 1)[0])


@pytest.mark.parametrize(
    "host",
    ["127。0。0。1", "１２７.０.０.１", "①②⑦.⓪.⓪.①", "127｡0｡0｡1", "127．0．0．1", "2130706433", "0x7f000001", "127.1"],
)
async def test_ip_spellings_normalised_by_the_client_are_never_called(receiver: Receiver, host: str) -> None:
    sender = AiohttpWebhookSender(allow_private=False)
    try:
        with pytest.raises(WebhookFailed):
            await sender.post(f"http://{host}:{port_of(receiver)}/hook", b"{}", HEADERS)
    finally:
        await sender.close()
    assert receiver.requests == []


async def test_a_name_resolving_to_loopback_is_refused_before_connecting(receiver: Receiver) -> None:
    resolver = LoopbackResolver()
    sender = AiohttpWebhookSender(allow_private=False, resolver=resolver)
    try:
        with pytest.raises(WebhookFailed, match=r"hooks\.example\.com"):
            await sender.post(f"http://hooks.example.com:{port_of(receiver)}/hook", b"{}", HEADERS)
    finally:
        await sender.close()
    assert resolver.asked == ["hooks.example.com"]
    assert receiver.requests == []


async def test_the_socket_check_alone_refuses_a_private_peer(receiver: Receiver) -> None:
    """Even with a resolver that lets loopback through, the socket for a private peer is never opened."""
    connector = aiohttp.TCPConnector(resolver=LoopbackResolver(), socket_factory=public_socket)
    async with aiohttp.ClientSession(connector=connector) as session:
        with pytest.raises(aiohttp.ClientConnectorError):
            await session.post(f"http://hooks.example.com:{port_of(receiver)}/hook", data=b"{}", headers=HEADERS)
    assert receiver.requests == []


def test_public_socket_checks_the_peer_address() -> None:
    for peer in (("127.0.0.1", 80), ("10.1.2.3", 80), ("::1", 80, 0, 0), ("::ffff:127.0.0.1", 80, 0, 0)):
        family = socket.AF_INET6 if ":" in peer[0] else socket.AF_INET
        with pytest.raises(OSError, match="private or loopback"):
            public_socket((family, socket.SOCK_STREAM, 6, "", peer))
    public_socket((socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 80))).close()


async def test_a_stored_loopback_url_is_refused_at_send_time(receiver: Receiver) -> None:
    """A URL saved before the rules tightened is checked again for every delivery."""
    sender = AiohttpWebhookSender(allow_private=False)
    try:
        for url in (receiver.url, receiver.url.replace("127.0.0.1", "localhost")):
            with pytest.raises(WebhookFailed):
                await sender.post(url, b"{}", HEADERS)
    finally:
        await sender.close()
    assert receiver.requests == []


async def test_redirects_are_not_followed(receiver: Receiver) -> None:
    async def bounce(request: web.Request) -> web.Response:
        raise web.HTTPFound(receiver.url)

    app = web.Application()
    app.router.add_post("/hook", bounce)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    sender = AiohttpWebhookSender(allow_private=True)
    try:
        assert await sender.post(str(server.make_url("/hook")), b"{}", HEADERS) == 302
    finally:
        await sender.close()
        await server.close()
    assert receiver.requests == []
