"""``/metrics`` of a ``vod worker``: a tiny HTTP server of its own on ``VOD_METRICS_PORT``.

A worker has no Sanic app, and each process has its own counters, so each
worker is a scrape target of its own (on ``VOD_HOST``), with the same
token rule as ``vod serve``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web

from adapters.metrics import CONTENT_TYPE, exposition
from entrypoints.config import Config
from entrypoints.http.routes.metrics import authorized


@asynccontextmanager
async def metrics_server(config: Config) -> AsyncIterator[int | None]:
    """Serve ``/metrics`` while inside; yields the port (None when ``metrics_port`` is 0: nothing served)."""
    if not config.metrics_port:
        yield None
        return

    async def metrics(request: web.Request) -> web.Response:
        try:
            allowed = authorized(request.headers.get("Authorization"), config.metrics_token)
        except UnicodeEncodeError:
            allowed = False
        if not allowed:
            return web.Response(status=401, headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
        return web.Response(body=exposition(), headers={"Content-Type": CONTENT_TYPE})

    app = web.Application()
    app.router.add_get("/metrics", metrics)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, config.host, config.metrics_port)
    await site.start()
    try:
        yield config.metrics_port
    finally:
        await runner.cleanup()
