"""The Sanic application factory."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from types import SimpleNamespace

from sanic import Request, Sanic
from sanic.config import Config
from sanic_ext import Extend
from sanic_ext.extensions.openapi.extension import OpenAPIExtension
from sanic_ext.extensions.templating.extension import TemplatingExtension

from entrypoints.config import Config as Settings
from entrypoints.http import docs_page, pages, request_log, security_headers
from entrypoints.http.docs import API_DESCRIPTION, SECURITY_SCHEME, add_components
from entrypoints.http.docs_page import PAGE_PATH
from entrypoints.http.errors import JsonErrorHandler
from entrypoints.http.resources import ResourcesFactory
from entrypoints.http.routes import (
    files,
    health,
    hls,
    metrics,
    notify,
    sharing,
    storage,
    traffic,
    transcoding,
    tus,
    videos,
)

App = Sanic[Config, SimpleNamespace]

MAX_JSON_BODY = 1024 * 1024
"""Limit of every non-streamed body; uploads are streamed and limited by VOD_MAX_UPLOAD_BYTES."""


class OpenAPIWithOwnPage(OpenAPIExtension):  # type: ignore[no-untyped-call]
    """sanic-ext's OpenAPI document without its CDN-loaded pages; the start-up log points at ours."""

    name = "openapidocs"  # sanic-ext wants a name of its own (letters only) per extension class

    def label(self) -> str:
        return PAGE_PATH


def create_app(open_resources: ResourcesFactory, *, name: str = "vod", settings: Settings | None = None) -> App:
    """A Sanic app serving every endpoint; ``open_resources`` runs once the event loop exists.

    ``settings`` gives the HTTP-level settings (metrics token, request head
    deadline); the defaults apply without them.
    """
    settings = settings or Settings()
    app = Sanic(name, error_handler=JsonErrorHandler(), configure_logging=False)
    app.ctx.metrics_token = settings.metrics_token
    app.ctx.public_base_url = settings.public_base_url
    app.config.update(
        REQUEST_HEAD_TIMEOUT=settings.request_head_timeout_s,
        REQUEST_MAX_SIZE=MAX_JSON_BODY,
        FALLBACK_ERROR_FORMAT="json",
        ACCESS_LOG=False,
        OAS_URL_PREFIX="/docs",
        OAS_URI_TO_JSON="/openapi.json",
        # sanic-ext's Swagger and ReDoc pages load from a CDN: docs_page serves /docs itself.
        OAS_UI_DEFAULT=None,
        OAS_UI_SWAGGER=False,
        OAS_UI_REDOC=False,
        OAS_AUTODOC=False,
        HTTP_AUTO_HEAD=False,
        HTTP_AUTO_OPTIONS=False,
        HTTP_AUTO_TRACE=False,
        CORS_AUTOMATIC_OPTIONS=False,
        TEMPLATING_PATH_TO_TEMPLATES=pages.TEMPLATES_DIR,
    )
    # Only OpenAPI and the pages' templates: the built-in extensions (CORS, injection,
    # health, HTTP helpers) are unused here and each costs time on every request.
    Extend(app, built_in_extensions=False, extensions=[OpenAPIWithOwnPage, TemplatingExtension])
    app.ext.openapi.describe("VOD service API", version="1.0", description=API_DESCRIPTION)
    app.ext.openapi.add_security_scheme(
        SECURITY_SCHEME, "http", scheme="bearer", description="an API key: `Authorization: Bearer <key>`"
    )
    add_components(app.ext.openapi)
    api = (videos, sharing, transcoding, traffic, notify, storage, tus, files, hls, health, metrics)
    for module in (*api, docs_page, pages):
        app.blueprint(module.bp)
    request_log.install(app)
    security_headers.install(app)

    @app.before_server_start
    async def open_resources_(app: App) -> None:
        app.ctx.exit_stack = AsyncExitStack()
        app.ctx.resources = await app.ctx.exit_stack.enter_async_context(open_resources())

    # Sanic's HTTP/1 server accepts (and may answer) requests on its pre-bound
    # socket before it installs its SIGTERM handler; a request answered then
    # (a fast /health probe) can be followed by a SIGTERM that kills the
    # process instead of stopping it. Requests wait until startup is over.
    app.ctx.started = asyncio.Event()

    @app.after_server_start
    async def started(app: App) -> None:
        app.ctx.started.set()

    @app.on_request
    async def after_startup(request: Request) -> None:
        await request.app.ctx.started.wait()

    @app.after_server_stop
    async def close_resources(app: App) -> None:
        await app.ctx.exit_stack.aclose()

    return app
