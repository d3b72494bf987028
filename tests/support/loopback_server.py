"""An app served by Sanic's own HTTP/1 server on a free loopback port.

For what the ASGI test client hides: the real protocol's streaming, HEAD,
keep-alive, sendfile and timeouts.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sanic import Sanic


@asynccontextmanager
async def on_loopback(app: Sanic[Any, Any]) -> AsyncIterator[int]:
    """Serve ``app`` until the block ends; yields the port it listens on."""
    server = await app.create_server(host="127.0.0.1", port=0, return_asyncio_server=True, access_log=False)
    assert server is not None
    await server.startup()
    await server.before_start()
    await server.after_start()
    try:
        yield server.server.sockets[0].getsockname()[1]
    finally:
        await server.before_stop()
        await server.close()
        await server.after_stop()
