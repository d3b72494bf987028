"""The streaming multipart reader: any chunking of the body gives the same file."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest

from entrypoints.http.multipart import MultipartFile, multipart_boundary
from vod_core.errors import InvalidParameter

BOUNDARY = b"----x7MA4YWxkTrZu0gW"


def form(data: bytes, filename: str = "clip.mp4") -> bytes:
    return (
        b"--" + BOUNDARY + b'\r\nContent-Disposition: form-data; name="title"\r\n\r\nhello\r\n'
        b"--" + BOUNDARY + b'\r\nContent-Disposition: form-data; name="file"; filename="' + filename.encode()
        + b'"\r\nContent-Type: video/mp4\r\n\r\n' + data + b"\r\n--" + BOUNDARY + b"--\r\n"
    )  # fmt: skip


async def pieces(body: bytes, size: int) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


@pytest.mark.parametrize("chunk_size", [1, 7, 4096, 10**7])
async def test_the_file_is_the_same_however_the_body_is_cut(chunk_size: int) -> None:
    data = os.urandom(20_000) + b"\r\n--" + BOUNDARY[:-1]  # looks like a boundary, is not one
    reader = MultipartFile(pieces(form(data), chunk_size), BOUNDARY)
    assert await reader.filename() == "clip.mp4"
    assert b"".join([chunk async for chunk in reader.chunks()]) == data


async def test_a_truncated_body_fails_before_the_last_bytes_are_handed_on() -> None:
    body = form(b"x" * 1000)[:-10]
    reader = MultipartFile(pieces(body, 64), BOUNDARY)
    await reader.filename()
    with pytest.raises(InvalidParameter, match="file"):
        [chunk async for chunk in reader.chunks()]


def test_the_boundary_comes_from_the_content_type() -> None:
    assert multipart_boundary(f"multipart/form-data; boundary={BOUNDARY.decode()}") == BOUNDARY
    assert multipart_boundary("application/octet-stream") is None
    with pytest.raises(InvalidParameter):
        multipart_boundary("multipart/form-data")
