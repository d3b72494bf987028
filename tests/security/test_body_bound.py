"""The whole upload body is bounded, not only the ``file`` part (issue 11 item 8)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.http.conftest import Service
from tests.http.test_storage_and_files import BOUNDARY, multipart, stored_objects

BIG_FIELD = ("note", None, b"n" * 300_000)
SMALL_FILE = ("file", "small.mp4", b"x" * 100)


async def streamed(body: bytes) -> AsyncIterator[bytes]:
    """The body in 16 KiB chunks with no Content-Length: only the streamed count can stop it."""
    for start in range(0, len(body), 16384):
        yield body[start : start + 16384]


@pytest.mark.parametrize("parts", [(BIG_FIELD, SMALL_FILE), (SMALL_FILE, BIG_FIELD)], ids=["before", "after"])
@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_a_big_non_file_part_makes_the_upload_413(
    service: Service, parts: tuple[tuple[str, str | None, bytes], ...], chunked: bool
) -> None:
    service.vod.ctx.max_upload_bytes = 1000
    body = multipart(*parts)
    response = await service.api.post(
        "/storage/api/upload",
        content=streamed(body) if chunked else body,
        headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
    )
    assert (response.status, response.json["errcode"]) == (413, 3101)
    assert stored_objects(service) == []


async def test_a_small_form_with_a_file_at_the_limit_still_fits(service: Service) -> None:
    service.vod.ctx.max_upload_bytes = 1000
    body = multipart(("note", None, b"n" * 500), ("file", "fits.mp4", b"x" * 1000))
    response = await service.api.post(
        "/storage/api/upload",
        content=streamed(body),
        headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
    )
    assert response.status == 200, response.text
    assert response.json["file_size"] == 1000
