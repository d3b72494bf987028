"""One log line per request under a request id; JSON lines on request; no secrets in them."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sanic import Request

from entrypoints.config import Config, ConfigError
from entrypoints.http.request_log import HEADER
from entrypoints.log_format import TEXT_FORMAT, JsonFormatter, formatter
from tests.ops.conftest import Service, running_service

GENERATED = re.compile(r"[0-9a-f]{16}")


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[Service]:
    async with running_service(tmp_path) as running:

        async def boom(request: Request) -> None:
            raise RuntimeError("a bug")

        running.app.add_route(boom, "/boom")
        yield running


def request_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "vod.requests"]


async def test_a_sane_client_id_is_echoed_and_logged(service: Service, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    _, response = await service.client.get("/health", headers={HEADER: "client-42.a:b_c"})
    assert response.headers[HEADER] == "client-42.a:b_c"
    (line,) = request_lines(caplog)
    assert (line.request_id, line.method, line.path, line.status) == ("client-42.a:b_c", "GET", "/health", 200)  # type: ignore[attr-defined]
    assert line.duration_ms >= 0  # type: ignore[attr-defined]
    assert line.getMessage().startswith("client-42.a:b_c GET /health 200 ")


@pytest.mark.parametrize("offered", ["", "x" * 65, "has space", "semi;colon", "üñí".encode(), "back\\slash"])
async def test_an_insane_client_id_is_replaced(service: Service, offered: str | bytes) -> None:
    _, response = await service.client.get("/health", headers={HEADER: offered})
    assert GENERATED.fullmatch(response.headers[HEADER])


async def test_every_request_gets_its_own_id(service: Service) -> None:
    ids = set()
    for _ in range(3):
        _, response = await service.client.get("/health")
        ids.add(response.headers[HEADER])
    assert len(ids) == 3 and all(GENERATED.fullmatch(i) for i in ids)


async def test_errors_carry_the_id_too(service: Service) -> None:
    _, missing = await service.client.get("/no/such/route", headers={HEADER: "lost-1"})
    assert (missing.status, missing.headers[HEADER]) == (404, "lost-1")


async def test_a_500_message_names_the_request_id(service: Service, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    _, response = await service.client.get("/boom", headers={HEADER: "bug-report-7"})
    assert response.status == 500
    assert response.headers[HEADER] == "bug-report-7"
    assert "request id bug-report-7" in response.json["msg"]
    assert any("bug-report-7" in r.getMessage() and r.levelno == logging.ERROR for r in caplog.records)


async def test_no_secret_reaches_the_log(service: Service, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    await service.client.get(
        "/video/api/list",
        params={"signature": "sig-SECRET", "password": "pw-SECRET"},
        headers={"Authorization": "Bearer key-SECRET", "Cookie": "c-SECRET"},
    )
    await service.client.get("/health", headers=service.auth)
    service_side = [r for r in caplog.records if not r.name.startswith("httpx")]  # the test's own client logs URLs
    text = "\n".join(JsonFormatter().format(r) + formatter("text").format(r) for r in service_side)
    assert "SECRET" not in text
    assert service.key not in text
    assert "/video/api/list" in text


async def test_json_lines(service: Service, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    await service.client.get("/health", params={"q": "1"}, headers={HEADER: "json-1"})
    (line,) = request_lines(caplog)
    parsed = json.loads(JsonFormatter().format(line))
    assert {k: parsed[k] for k in ("request_id", "method", "path", "status", "level", "logger")} == {
        "request_id": "json-1",
        "method": "GET",
        "path": "/health",
        "status": 200,
        "level": "INFO",
        "logger": "vod.requests",
    }
    assert isinstance(parsed["duration_ms"], float) and parsed["ts"].endswith("+00:00")


@given(st.text())
def test_json_lines_are_one_line_of_json_whatever_the_message(message: str) -> None:
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "%s", (message,), None)
    out = JsonFormatter().format(record)
    assert "\n" not in out and json.loads(out)["msg"] == message


def test_the_log_format_is_a_setting() -> None:
    assert Config.from_env({}).log_format == "text"
    assert Config.from_env({"VOD_LOG_FORMAT": "JSON"}).log_format == "json"
    with pytest.raises(ConfigError, match="VOD_LOG_FORMAT"):
        Config.from_env({"VOD_LOG_FORMAT": "xml"})


@given(st.floats(min_value=0, max_value=4_102_444_800, allow_nan=False), st.text(max_size=20))
def test_the_text_format_is_the_standard_formatters_line(created: float, message: str) -> None:
    ours, standard = formatter("text"), logging.Formatter(TEXT_FORMAT)
    for moment in (created, created + 0.0004, created + 1.5):  # the cached second, then another
        record = logging.makeLogRecord({"name": "vod.requests", "msg": message, "levelname": "INFO"})
        record.created, record.msecs = moment, (moment - int(moment)) * 1000
        assert ours.format(record) == standard.format(record)
