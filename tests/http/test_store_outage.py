"""An unreachable object store: requests that need it fail as internal errors (500) with their contract code."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from adapters.storage.s3 import S3Storage
from tests.contract.test_object_storage import s3_storage
from tests.http.conftest import START, Service
from tests.support.s3 import S3Server
from vod_core.errors import CheckStorageIdFailed, InternalError
from vod_core.files import StoredFile


@pytest.fixture
def service_storage(tmp_path: Path) -> S3Storage:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Nothing listens on the port once the socket is closed: every request is refused.
    return s3_storage(S3Server(f"http://127.0.0.1:{port}"), "vod-unreachable", tmp_path / "cache")


async def test_an_upload_is_a_500_with_code_3100(service: Service) -> None:
    response = await service.api.post("/storage/api/upload", params={"filename": "a.mp4"}, content=b"abc")
    assert (response.status, response.json["errcode"]) == (500, InternalError.code)
    assert "request id" in response.json["msg"] and "store" not in response.json["msg"]


async def test_a_download_is_a_500_with_code_3126(service: Service) -> None:
    assert service.api.key is not None
    alice = await service.vod.users.authenticate(service.api.key)
    async with service.vod.ctx.uow() as uow:
        await uow.files.add(StoredFile("f1", alice.id, "a.mp4", 3, "video/mp4", START))
        await uow.commit()
    response = await service.api.get("/files/f1")
    assert (response.status, response.json["errcode"]) == (500, CheckStorageIdFailed.code)
