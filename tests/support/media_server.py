"""A loopback HTTP server of source files for upload-from-URL tests (aiohttp's test server).

Routes: ``/files/<name>`` (the bytes given, with a length), ``/stream/<name>``
(the same, chunked, no length), ``/missing`` (404), ``/redirect/<n>`` (302
to ``/files/clip.mp4`` after ``n`` more hops), ``/to?url=...`` (302 there),
``/stall`` (headers, then nothing until the server closes). ``requested``
lists the paths asked for.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from aiohttp import web
from aiohttp.test_utils import TestServer


@dataclass
class MediaServer:
    port: int
    files: dict[str, bytes]
    requested: list[str] = field(default_factory=list)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


@asynccontextmanager
async def media_server(files: dict[str, bytes]) -> AsyncIterator[MediaServer]:
    closing = asyncio.Event()
    state = MediaServer(0, files)

    @web.middleware
    async def record(request: web.Request, handler: web.RequestHandler) -> web.StreamResponse:
        state.requested.append(request.path_qs)
        return await handler(request)

    async def whole(request: web.Request) -> web.Response:
        body = state.files.get(request.match_info["name"])
        if body is None:
            raise web.HTTPNotFound()
        return web.Response(body=body, content_type="video/mp4")

    async def chunked(request: web.Request) -> web.StreamResponse:
        body = state.files[request.match_info["name"]]
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        for start in range(0, len(body), 4096):
            await response.write(body[start : start + 4096])
        await response.write_eof()
        return response

    async def redirect(request: web.Request) -> web.Response:
        hops = int(request.match_info["hops"])
        raise web.HTTPFound(f"/redirect/{hops - 1}" if hops > 1 else "/files/clip.mp4")

    async def to(request: web.Request) -> web.Response:
        raise web.HTTPFound(request.query["url"])

    async def stall(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Length": "1000"})
        await response.prepare(request)
        await closing.wait()
        return response

    app = web.Application(middlewares=[record])
    app.router.add_get("/files/{name}", whole)
    app.router.add_get("/stream/{name}", chunked)
    app.router.add_get("/redirect/{hops}", redirect)
    app.router.add_get("/to", to)
    app.router.add_get("/stall", stall)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    assert server.port is not None
    state.port = server.port
    try:
        yield state
    finally:
        closing.set()
        await server.close()
