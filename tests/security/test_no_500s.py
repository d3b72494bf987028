"""Inputs that caused 500s the contract forbids (issue 11 item 4), each answered as the contract says."""

from __future__ import annotations

import pytest

from entrypoints.http.ranges import parse_range
from tests.http.conftest import Service


@pytest.mark.parametrize(
    "header", ["bytes=²-", "bytes=0-²", "bytes=-²", "bytes=①-5", "bytes=١-٥", "bytes=-٥", "bytes=１-２"]
)
def test_a_range_with_non_ascii_digits_is_ignored(header: str) -> None:
    assert parse_range(header, 10) is None


@pytest.mark.parametrize("header", ["bytes=²-", "bytes=①-5", "bytes=١-٥"])
async def test_a_malformed_range_serves_the_whole_file(service: Service, header: str) -> None:
    storage_id = await service.upload(data=b"0123456789")
    owner = f"Bearer {service.api.key}"  # an upload no video uses is its owner's only (API.md C1)
    headers = {"Range": header.encode(), "Authorization": owner}
    _, response = await service.api.client.get(f"/files/{storage_id}", headers=headers)
    assert response.status == 200
    assert response.body == b"0123456789"


@pytest.mark.parametrize("value", [b"Bearer \xff\xfe", b"Bearer k\xc3", b"Bearer \x01\x02"])
async def test_a_key_that_is_not_text_is_401(service: Service, value: bytes) -> None:
    _, response = await service.api.client.get("/storage/api/get", params={"id": "x"}, headers={"Authorization": value})
    assert (response.status, response.json["errcode"]) == (401, 3108)


async def test_an_overlong_multipart_boundary_is_3101(service: Service) -> None:
    boundary = "b" * 2000
    body = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nx\r\n--{boundary}--\r\n'
    response = await service.api.post(
        "/storage/api/upload",
        content=body.encode(),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert (response.status, response.json["errcode"]) == (400, 3101)
    assert "file" in response.json["msg"]


@pytest.mark.parametrize("password", [r"a\u0000b", r"\u001b[31m", r"x\ud800"])
async def test_a_share_password_a_store_cannot_keep_is_3101_and_changes_nothing(
    service: Service, password: str
) -> None:
    video_id = await service.ready_video()
    response = await service.api.post(  # JSON escapes: a lone surrogate cannot even be encoded as UTF-8
        "/video/api/set_video_password",
        content=f'{{"shared_state": 1, "password": "{password}"}}'.encode(),
        headers={"Content-Type": "application/json"},
        params={"id": video_id},
    )
    assert (response.status, response.json["errcode"]) == (400, 3101)
    assert "password" in response.json["msg"]
    shown = await service.api.get("/video/api/get", id=video_id)
    assert shown.json["video"]["shared_state"] == 0
