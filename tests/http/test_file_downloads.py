"""File downloads beyond the basics: validators, empty and vanished files, HEAD over a real HTTP/1 connection."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from email.utils import parsedate_to_datetime

import httpx
import pytest
from sanic import Sanic

from tests.http.conftest import Service
from tests.support.loopback_server import on_loopback


async def test_files_carry_an_etag_and_a_last_modified_date(service: Service) -> None:
    storage_id = await service.upload(data=b"0123456789")
    whole = await service.api.get(f"/files/{storage_id}")
    part = await service.api.get(f"/files/{storage_id}", headers={"Range": "bytes=2-3"})
    head = await service.api.head(f"/files/{storage_id}")
    info = await service.vod.ctx.storage.stat(storage_id)
    for response in (whole, part, head):
        assert response.headers["etag"] == f'"{info.etag}"'
        modified = parsedate_to_datetime(response.headers["last-modified"])
        assert modified == info.last_modified.replace(microsecond=0)
    other = await service.upload(data=b"0123456789")
    assert (await service.api.head(f"/files/{other}")).headers["etag"] != whole.headers["etag"]


async def test_an_empty_file_is_served_empty(service: Service) -> None:
    storage_id = await service.upload(data=b"")
    response = await service.api.get(f"/files/{storage_id}")
    assert (response.status, response.content, response.headers["content-length"]) == (200, b"", "0")
    ranged = await service.api.get(f"/files/{storage_id}", headers={"Range": "bytes=0-"})
    assert ranged.status == 416


async def test_a_file_whose_bytes_are_gone_is_404(service: Service) -> None:
    storage_id = await service.upload(data=b"0123456789")
    await service.vod.ctx.storage.delete(storage_id)
    response = await service.api.get(f"/files/{storage_id}")
    assert (response.status, response.json["errcode"]) == (404, 3102)


@pytest.mark.parametrize("storage_id", ["a%00b", "a%7Fb"])
async def test_a_url_naming_an_impossible_id_is_404(service: Service, storage_id: str) -> None:
    response = await service.api.get(f"/files/{storage_id}")
    assert (response.status, response.json["errcode"]) == (404, 3102)


@pytest.fixture
async def served(service: Service) -> AsyncIterator[httpx.AsyncClient]:
    """The service's app on a loopback socket: Sanic's HTTP/1 server; its ASGI client must not be used after."""
    app: Sanic = service.api.client.sanic_app
    headers = {"Authorization": f"Bearer {service.api.key}"}
    async with (
        on_loopback(app) as port,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", headers=headers) as client,
    ):
        yield client


async def test_head_over_http1_sends_the_headers_and_logs_no_error(
    served: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Sanic's HTTP/1 stream (unlike ASGI) fails when a HEAD response streams or ends a body."""
    uploaded = await served.post("/storage/api/upload", params={"filename": "a.mp4"}, content=b"0123456789")
    storage_id = uploaded.json()["storage_id"]
    caplog.set_level(logging.WARNING)
    head = await served.head(f"/files/{storage_id}")
    ranged = await served.head(f"/files/{storage_id}", headers={"Range": "bytes=2-5"})
    after = await served.get(f"/files/{storage_id}")  # the connection is still usable
    assert (head.status_code, head.headers["content-length"], head.content) == (200, "10", b"")
    assert (ranged.status_code, ranged.headers["content-range"]) == (206, "bytes 2-5/10")
    assert after.content == b"0123456789"
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
