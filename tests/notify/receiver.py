"""A webhook receiver on loopback that refuses (503) until told to accept, recording every request."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from aiohttp import web
from aiohttp.test_utils import TestServer


@dataclass(frozen=True)
class Request:
    delivery: str
    event: str
    signature: str
    body: bytes
    answered: int

    def signed_with(self, secret: str) -> bool:
        fields = dict(part.split("=", 1) for part in self.signature.split(","))
        expected = hmac.new(secret.encode(), f"{fields['t']}.".encode() + self.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, fields["v1"])


@dataclass
class Receiver:
    url: str = ""
    refuse_first: int = 0
    """Answer 503 to this many requests, then 200."""
    accepting: bool = True
    requests: list[Request] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        refused = not self.accepting or len(self.requests) < self.refuse_first
        status = 503 if refused else 200
        headers = request.headers
        self.requests.append(
            Request(
                headers["X-VOD-Delivery"],
                headers["X-VOD-Event"],
                headers["X-VOD-Signature"],
                await request.read(),
                status,
            )
        )
        return web.Response(status=status)

    def accepted(self) -> dict[str, int]:
        """Delivery id → how many times it was answered 200."""
        counts: dict[str, int] = {}
        for r in self.requests:
            if r.answered == 200:
                counts[r.delivery] = counts.get(r.delivery, 0) + 1
        return counts

    def tries(self, delivery: str) -> list[Request]:
        return [r for r in self.requests if r.delivery == delivery]


@asynccontextmanager
async def running_receiver(refuse_first: int = 0) -> AsyncIterator[Receiver]:
    receiver = Receiver(refuse_first=refuse_first)
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    receiver.url = str(server.make_url("/hook"))
    try:
        yield receiver
    finally:
        await server.close()
