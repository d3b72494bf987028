"""A stalled upload is 408, a client reset mid-upload is no internal error (issue 11 item 4).

Both run the app on a real loopback socket (Sanic's HTTP/1 protocol, not
ASGI), since stalls and resets are connection events.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import struct
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sanic import Sanic

from adapters.jobs.traffic_feed import InProcessTrafficFeed
from adapters.storage import LocalStorage
from entrypoints.bootstrap import bootstrap
from entrypoints.config import Config
from entrypoints.http import Resources, create_app
from entrypoints.http.presenters import Presenter
from tests.jobs.helpers import eventually
from tests.support.loopback_server import on_loopback

BOUNDARY = "stallboundary"


@asynccontextmanager
async def serving(tmp_path: Path, name: str) -> AsyncIterator[tuple[int, str]]:
    """The app on a free loopback port; yields (port, api key)."""
    vod = bootstrap(Config.in_memory(), storage=LocalStorage(str(tmp_path / "storage"))).vod
    traffic = InProcessTrafficFeed(vod.traffic.ingest)
    resources = Resources(vod, traffic, Presenter(vod.ctx.zone, vod.ctx.links))

    @asynccontextmanager
    async def open_resources() -> AsyncIterator[Resources]:
        yield resources

    app = create_app(open_resources, name=name)
    app.config.BODY_IDLE_TIMEOUT = 0.3
    _, key = await vod.users.create_user("alice")
    try:
        async with on_loopback(app) as port:
            yield port, key
    finally:
        Sanic._app_registry.pop(name, None)


def upload_head(port: int, key: str, length: int) -> bytes:
    return (
        f"POST /storage/api/upload HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {key}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {length}\r\n\r\n"
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.mp4"\r\n\r\n'
    ).encode() + b"x" * 1000


async def test_a_stalled_upload_is_408(tmp_path: Path) -> None:
    async with serving(tmp_path, "vod_stall") as (port, key):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(upload_head(port, key, 100_000))  # then nothing more
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), 20)
        writer.close()
    assert status_line.split()[1] == b"408", status_line


async def test_a_client_reset_mid_upload_is_logged_quietly(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    async with serving(tmp_path, "vod_reset") as (port, key):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(upload_head(port, key, 100_000))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close = RST

        async def upload_started() -> bool:
            return any((tmp_path / "storage" / "tmp").glob("upload-*"))

        await eventually(upload_started, what="the upload to reach storage")
        sock.close()

        async def noticed() -> bool:
            return any("closed the connection" in r.getMessage() for r in caplog.records)

        await eventually(noticed, what="the reset to be handled")
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]
