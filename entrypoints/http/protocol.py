"""The HTTP/1.1 protocol of ``vod serve``: Sanic's, plus a deadline for the request head.

Sanic's ``REQUEST_TIMEOUT`` is an idle timeout: it restarts with every
packet, so a client trickling one header line a second holds a connection
(and its buffers) for as long as it likes. Here the request line and the
headers must arrive within ``REQUEST_HEAD_TIMEOUT`` seconds of their first
byte, or the client gets a 408 and the connection is closed.
"""

from __future__ import annotations

import asyncio

from sanic.exceptions import RequestTimeout
from sanic.http import Http
from sanic.server.protocols.http_protocol import HttpProtocol

DEFAULT_HEAD_TIMEOUT_S = 10.0


class HeadDeadlineHttp(Http):
    async def http1_request_header(self) -> None:
        deadline = float(getattr(self.protocol.app.config, "REQUEST_HEAD_TIMEOUT", DEFAULT_HEAD_TIMEOUT_S))
        try:
            async with asyncio.timeout(deadline):
                await super().http1_request_header()  # type: ignore[no-untyped-call]
        except TimeoutError:
            raise RequestTimeout("the request head did not arrive in time") from None


class HeadDeadlineProtocol(HttpProtocol):
    """Pass as ``protocol`` to ``app.run``."""

    HTTP_CLASS = HeadDeadlineHttp
