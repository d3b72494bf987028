"""The error map and the strict request parsing: every bad input is 3101 naming the field."""

from __future__ import annotations

import logging
import re

import pytest

from tests.http.conftest import Service
from vod_core.errors import SizeSumFailed


async def test_malformed_json_is_3101_naming_the_body(service: Service) -> None:
    response = await service.api.post(
        "/video/api/create", content=b'{"storage_id": ', headers={"Content-Type": "application/json"}
    )
    assert (response.status, response.json["errcode"]) == (400, 3101)
    assert response.json["msg"].startswith("body")


async def test_a_json_array_body_is_refused(service: Service) -> None:
    response = await service.api.post("/video/api/create", ["storage_id"])
    assert (response.status, response.json["errcode"]) == (400, 3101)
    assert "JSON object" in response.json["msg"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "storage_id"),
        ({"storage_id": 12}, "storage_id"),
        ({"storage_id": "x", "video_name": ["a"]}, "video_name"),
        ({"storage_id": "x", "skip_auto_trans": 1}, "skip_auto_trans"),
        ({"storage_id": "x", "skip_auto_trans": "true"}, "skip_auto_trans"),
        ({"storage_id": "x", "source_type": 3}, "source_type"),
    ],
)
async def test_missing_or_mistyped_create_fields_are_named(
    service: Service, body: dict[str, object], field: str
) -> None:
    response = await service.api.post("/video/api/create", body)
    assert (response.status, response.json["errcode"]) == (400, 3101)
    assert response.json["msg"].startswith(field)


@pytest.mark.parametrize("value", [True, 1.0, "1", None])
async def test_template_id_must_be_a_real_integer(service: Service, value: object) -> None:
    video_id = await service.ready_video()
    response = await service.api.post("/video/api/trans", {"task_config_temp_id": value}, params={"id": video_id})
    assert (response.status, response.json["errcode"]) == (400, 3101)
    assert response.json["msg"].startswith("task_config_temp_id")


async def test_shared_state_refuses_a_bool(service: Service) -> None:
    video_id = await service.ready_video()
    response = await service.api.post("/video/api/set_video_password", {"shared_state": True}, params={"id": video_id})
    assert (response.status, response.json["errcode"]) == (400, 3101)
    assert response.json["msg"].startswith("shared_state")


@pytest.mark.parametrize("value", ["", "abc", "1.5", "+1", " 1", "1e3", "99999999999999999999"])
async def test_query_integers_are_parsed_strictly(service: Service, value: str) -> None:
    response = await service.api.get("/video/api/list", page=value)
    assert (response.status, response.json["errcode"]) == (400, 3101)
    assert response.json["msg"].startswith("page")


@pytest.mark.parametrize(
    ("params", "field"), [({"page": 0}, "page"), ({"page_size": 0}, "page_size"), ({"page_size": 101}, "page_size")]
)
async def test_paging_out_of_range_is_3101(service: Service, params: dict[str, int], field: str) -> None:
    response = await service.api.get("/video/api/list", None, **params)
    assert (response.status, response.json["errcode"]) == (400, 3101)
    assert response.json["msg"].startswith(field)


async def test_a_missing_required_query_parameter_is_named(service: Service) -> None:
    response = await service.api.get("/video/api/get")
    assert (response.status, response.json["errcode"]) == (400, 3101)
    assert response.json["msg"] == "id is required"


async def test_json_text_with_lone_surrogates_is_refused_before_the_database(service: Service) -> None:
    response = await service.api.post("/video/api/create", content=b'{"storage_id": "\\ud800"}')
    assert (response.status, response.json["errcode"]) == (400, 3101)
    assert response.json["msg"].startswith("storage_id")


async def test_unknown_fields_are_ignored(service: Service) -> None:
    storage_id = await service.upload()
    response = await service.api.post("/video/api/create", {"storage_id": storage_id, "colour": "blue"})
    assert response.status == 200
    listed = await service.api.get("/video/api/list", flavour="mint")
    assert listed.json["count"] == 1


async def test_an_unknown_route_is_a_json_404(service: Service) -> None:
    response = await service.api.get("/video/api/nope")
    assert (response.status, response.json["errcode"]) == (404, 3102)


async def test_a_wrong_method_is_a_json_405(service: Service) -> None:
    response = await service.api.get("/video/api/create")
    assert response.status == 405 and response.json["errcode"] == 3101
    assert "POST" in response.headers["allow"]


async def test_an_unexpected_failure_is_500_with_a_request_id_and_no_trace(
    service: Service, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(user_id: str) -> int:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(service.vod.videos, "size_sum", broken)
    with caplog.at_level(logging.ERROR):
        response = await service.api.get("/video/api/get_video_size_sum")
    assert (response.status, response.json["errcode"]) == (500, 3100)
    match = re.search(r"request id ([0-9a-f]+)", response.json["msg"])
    assert match is not None
    assert "secret" not in response.text and "Traceback" not in response.text
    assert any(match.group(1) in r.getMessage() and r.exc_info for r in caplog.records)


async def test_an_internal_domain_error_keeps_its_code(service: Service, monkeypatch: pytest.MonkeyPatch) -> None:
    async def failing(user_id: str) -> int:
        raise SizeSumFailed()

    monkeypatch.setattr(service.vod.videos, "size_sum", failing)
    response = await service.api.get("/video/api/get_video_size_sum")
    assert (response.status, response.json["errcode"]) == (500, 3127)
    assert "request id" in response.json["msg"]


async def test_video_state_conflicts_are_409(service: Service) -> None:
    storage_id = await service.upload()
    video_id = (await service.api.post("/video/api/create", {"storage_id": storage_id})).json["id"]
    not_ready = await service.api.post("/video/api/trans", {"task_config_temp_id": 1}, params={"id": video_id})
    assert (not_ready.status, not_ready.json["errcode"]) == (409, 3103)
    broken = await service.upload(data=b"not a video at all")
    broken_id = (await service.api.post("/video/api/create", {"storage_id": broken})).json["id"]
    await service.process()
    failed = await service.api.post("/video/api/trans", {"task_config_temp_id": 1}, params={"id": broken_id})
    assert (failed.status, failed.json["errcode"]) == (409, 3104)
