"""Error class -> HTTP status along the MRO, and a broken database seen from the outside."""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sanic_testing.testing import SanicASGITestClient

from adapters.tortoise import TortoiseDatabase, sqlite_url
from adapters.tortoise.unit_of_work import TransactionFailed
from entrypoints.bootstrap import bootstrap
from entrypoints.config import Config
from entrypoints.http import Resources, create_app
from entrypoints.http.errors import JsonErrorHandler, status_for, vod_error_response
from entrypoints.http.presenters import Presenter
from vod_core.errors import (
    INTERNAL_ERRORS,
    AccessDenied,
    AlreadyInLibrary,
    GetVideoFailed,
    InternalError,
    InvalidParameter,
    NotFound,
    StorageUnavailable,
    TranscodeExists,
    UnusableFile,
    UploadTooLarge,
    VideoNotReady,
    VideoUploadFailed,
    VodError,
)
from vod_core.traffic import TrafficRecord

_apps = itertools.count()


class NoSuchThumbnail(NotFound):
    """A subclass nobody told the HTTP layer about."""


class TooLargeCover(UploadTooLarge):
    pass


def contract_status(code: int) -> int:
    """API.md "Conventions", read by code: 400 for 3101, 404 for 3102, 409 for 3103-3107, 403 for 3108, else 500."""
    if code == 3101:
        return 400
    if code == 3102:
        return 404
    if 3103 <= code <= 3107:
        return 409
    if code == 3108:
        return 403
    return 500


def test_the_nearest_class_in_the_mro_decides() -> None:
    assert status_for(NoSuchThumbnail()) == 404
    assert status_for(UploadTooLarge(10)) == 413
    assert status_for(TooLargeCover(10)) == 413
    assert status_for(InvalidParameter("page")) == 400
    assert status_for(AccessDenied()) == 403
    assert status_for(TransactionFailed("commit failed")) == 500
    assert status_for(RuntimeError("a bug")) == 500


@pytest.mark.parametrize(
    "error_class",
    [NotFound, VideoNotReady, VideoUploadFailed, TranscodeExists, AlreadyInLibrary, UnusableFile, *INTERNAL_ERRORS],
)
def test_every_contract_error_gets_the_status_the_contract_gives_its_code(error_class: type[VodError]) -> None:
    error = error_class()
    assert status_for(error) == contract_status(error.code)
    assert vod_error_response(error).status == contract_status(error.code)


def test_an_unauthenticated_caller_gets_401_with_a_challenge() -> None:
    response = vod_error_response(AccessDenied("an API key is required", unauthenticated=True))
    assert response.status == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="vod"'
    assert vod_error_response(AccessDenied("wrong password")).status == 403


def test_an_undeclared_outage_is_a_500_with_code_3100_and_a_request_id(caplog: pytest.LogCaptureFixture) -> None:
    outage = StorageUnavailable("database failure in TortoiseVideoRepository.get: OperationalError")
    with caplog.at_level(logging.ERROR):
        response = JsonErrorHandler().default(None, outage)  # type: ignore[arg-type]
    assert response.status == 500
    body = response.body.decode() if response.body else ""
    assert '"errcode":3100' in body.replace(" ", "")
    assert "TortoiseVideoRepository" not in body
    match = re.search(r"request id ([0-9a-f]+)", body)
    assert match is not None
    assert any(match.group(1) in r.getMessage() and r.exc_info for r in caplog.records)


class ListSink:
    def __init__(self) -> None:
        self.records: list[TrafficRecord] = []

    def submit(self, record: TrafficRecord) -> None:
        self.records.append(record)


@dataclass
class BrokenService:
    client: SanicASGITestClient
    database: TortoiseDatabase
    key: str
    video_id: str


@pytest.fixture
async def broken(tmp_path: Path) -> AsyncIterator[BrokenService]:
    """The app over a real SQLite database that loses its tables after the user is created."""
    database = TortoiseDatabase(sqlite_url(str(tmp_path)))
    await database.connect()
    vod = bootstrap(Config.in_memory(), database=database).vod
    _, key = await vod.users.create_user("alice")
    resources = Resources(vod, ListSink(), Presenter(vod.ctx.zone, vod.ctx.links))

    @asynccontextmanager
    async def open_resources() -> AsyncIterator[Resources]:
        yield resources

    app = create_app(open_resources, name=f"vod_broken_{next(_apps)}")
    for table in ("api_key", "video", "play_set"):
        await database.client.execute_query(f"DROP TABLE {table}")
    try:
        yield BrokenService(SanicASGITestClient(app), database, key, "17lok52y")
    finally:
        await database.close()


async def test_a_database_outage_during_authentication_is_not_a_key_description_error(
    broken: BrokenService,
) -> None:
    _, response = await broken.client.get("/video/api/list", headers={"Authorization": f"Bearer {broken.key}"})
    assert response.status == 500
    assert response.json["errcode"] == InternalError.code
    assert re.search(r"request id [0-9a-f]+", response.json["msg"])
    assert "Traceback" not in response.text and "api_key" not in response.text


async def test_a_public_read_during_an_outage_answers_its_use_cases_code(broken: BrokenService) -> None:
    _, response = await broken.client.get("/video/api/get_shared_video", params={"id": broken.video_id})
    assert (response.status, response.json["errcode"]) == (500, GetVideoFailed.code)
