"""Uploads (multipart and raw, size limit) and file serving (HEAD, Range, 416, 404, traffic)."""

from __future__ import annotations

import os

import pytest

from adapters.memory.fake_media import fake_video_bytes
from adapters.storage import LocalStorage
from entrypoints.config import Config
from tests.http.conftest import BASE_URL, Service, local

BOUNDARY = "vodtestboundary"


def multipart(*parts: tuple[str, str | None, bytes], boundary: str = BOUNDARY, end: bool = True) -> bytes:
    body = b""
    for name, filename, data in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + data + b"\r\n"
    return body + (f"--{boundary}--\r\n".encode() if end else b"")


def stored_objects(service: Service) -> list[str]:
    storage = service.vod.ctx.storage
    assert isinstance(storage, LocalStorage)
    return os.listdir(os.path.join(storage.root, "objects"))


async def post_form(service: Service, body: bytes) -> tuple[int, dict[str, object]]:
    response = await service.api.post(
        "/storage/api/upload", content=body, headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    )
    return response.status, response.json


async def test_a_multipart_upload_keeps_the_file_name_and_bytes(service: Service) -> None:
    data = fake_video_bytes() + bytes(range(256)) * 1000
    status, body = await post_form(service, multipart(("note", None, b"ignored"), ("file", "Ferien 🎬.mp4", data)))
    assert status == 200
    assert body["filename"] == "Ferien 🎬.mp4" and body["file_size"] == len(data)
    assert body["content_type"] == "video/mp4"
    downloaded = await service.api.get(f"/files/{body['storage_id']}")
    assert downloaded.content == data


async def test_multipart_from_a_regular_client_library_works(service: Service) -> None:
    response = await service.api.post("/storage/api/upload", files={"file": ("x.webm", b"0123456789")})
    assert response.status == 200
    assert (response.json["filename"], response.json["file_size"], response.json["content_type"]) == (
        "x.webm",
        10,
        "video/webm",
    )


async def test_a_raw_upload_takes_its_name_from_the_query(service: Service) -> None:
    response = await service.api.post("/storage/api/upload", params={"filename": "raw.mov"}, content=b"abc")
    assert response.status == 200
    assert list(response.json) == [
        "errcode",
        "msg",
        "storage_id",
        "file_size",
        "filename",
        "content_type",
        "created_at",
    ]
    assert (response.json["filename"], response.json["file_size"]) == ("raw.mov", 3)
    meta = await service.api.get("/storage/api/get", id=response.json["storage_id"])
    assert meta.json["filename"] == "raw.mov" and meta.json["storage_id"] == response.json["storage_id"]


async def test_a_raw_upload_without_a_name_is_3101(service: Service) -> None:
    response = await service.api.post("/storage/api/upload", content=b"abc")
    assert (response.status, response.json["errcode"]) == (400, 3101)
    assert response.json["msg"].startswith("filename")


@pytest.mark.parametrize(
    "body",
    [
        multipart(("other", None, b"x")),
        multipart(("file", "a.mp4", b"abc"), end=False),
        b"garbage without any boundary",
    ],
)
async def test_a_form_without_a_complete_file_part_is_3101_and_stores_nothing(service: Service, body: bytes) -> None:
    status, reply = await post_form(service, body)
    assert (status, reply["errcode"]) == (400, 3101)
    assert str(reply["msg"]).startswith("file")
    assert stored_objects(service) == []


@pytest.mark.parametrize("service_config", [Config.in_memory(public_base_url=BASE_URL, max_upload_bytes=1000)])
async def test_an_upload_over_the_limit_is_413_and_keeps_nothing(service: Service) -> None:
    raw = await service.api.post("/storage/api/upload", params={"filename": "big.mp4"}, content=b"x" * 1001)
    assert (raw.status, raw.json["errcode"]) == (413, 3101)
    status, reply = await post_form(service, multipart(("file", "big.mp4", b"x" * 5000)))
    assert (status, reply["errcode"]) == (413, 3101)
    assert stored_objects(service) == []
    ok = await service.api.post("/storage/api/upload", params={"filename": "fits.mp4"}, content=b"x" * 1000)
    assert ok.status == 200


async def test_a_file_is_served_whole_with_its_content_type(service: Service) -> None:
    video_id = await service.ready_video()
    video = (await service.api.get("/video/api/get", id=video_id)).json["video"]
    response = await service.api.get(local(video["origin_url"]))
    assert response.status == 200
    assert response.headers["content-type"] == "video/mp4"
    assert response.headers["accept-ranges"] == "bytes"
    assert response.content == fake_video_bytes()
    cover = await service.api.get(local(video["thumb_url"]))
    assert cover.headers["content-type"] == "image/jpeg"


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [("bytes=0-9", 0, 9), ("bytes=10-", 10, None), ("bytes=-5", -5, None), ("bytes=70-1000", 70, None)],
)
async def test_a_range_is_served_as_206(service: Service, header: str, start: int, end: int | None) -> None:
    data = fake_video_bytes()
    storage_id = await service.upload(data=data)
    response = await service.api.get(f"/files/{storage_id}", headers={"Range": header})
    expected = data[start : None if end is None else end + 1]
    assert response.status == 206
    assert response.content == expected
    first = start if start >= 0 else len(data) + start
    assert response.headers["content-range"] == f"bytes {first}-{first + len(expected) - 1}/{len(data)}"
    assert response.headers["content-length"] == str(len(expected))


async def test_a_range_beyond_the_end_is_416(service: Service) -> None:
    storage_id = await service.upload(data=b"0123456789")
    response = await service.api.get(f"/files/{storage_id}", headers={"Range": "bytes=10-20"})
    assert response.status == 416
    assert response.headers["content-range"] == "bytes */10"


async def test_an_unsupported_range_serves_the_whole_file(service: Service) -> None:
    storage_id = await service.upload(data=b"0123456789")
    response = await service.api.get(f"/files/{storage_id}", headers={"Range": "bytes=0-1,4-5"})
    assert response.status == 200 and response.content == b"0123456789"


async def test_head_gives_the_headers_without_a_body(service: Service) -> None:
    storage_id = await service.upload(data=b"0123456789", filename="a.mp4")
    response = await service.api.head(f"/files/{storage_id}")
    assert response.status == 200
    assert response.headers["content-length"] == "10"
    assert response.headers["content-type"] == "video/mp4"
    assert response.content == b""


@pytest.mark.parametrize("storage_id", ["nosuchfile", "..%2F..%2Fetc", "a" * 40, "a" * 65])
async def test_unknown_files_are_404(service: Service, storage_id: str) -> None:
    response = await service.api.get(f"/files/{storage_id}")
    assert (response.status, response.json["errcode"]) == (404, 3102)


async def test_bytes_served_count_as_the_videos_traffic(service: Service) -> None:
    video_id = await service.ready_video()
    origin = local((await service.api.get("/video/api/get", id=video_id)).json["video"]["origin_url"])
    await service.api.get(origin)
    await service.api.get(origin, headers={"Range": "bytes=0-9"})
    await service.api.head(origin)
    await service.traffic.wait_idle()
    total = await service.api.get("/video/api/get_user_video_total_summary")
    assert total.json["user_video_total_summary"] == {"total_bytes": len(fake_video_bytes()) + 10}


async def test_a_file_not_linked_to_a_video_counts_no_traffic(service: Service) -> None:
    storage_id = await service.upload()
    assert (await service.api.get(f"/files/{storage_id}")).status == 200
    await service.traffic.wait_idle()
    total = await service.api.get("/video/api/get_user_video_total_summary")
    assert total.json["user_video_total_summary"]["total_bytes"] == 0
