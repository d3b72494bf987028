"""CSV exports are sent while rows are produced, in bounded chunks."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Sequence
from typing import Any, cast

from sanic import Request

from entrypoints.http.csv_stream import ROWS_PER_CHUNK, send_csv


class FakeResponse:
    def __init__(self, log: list[str]) -> None:
        self.log = log
        self.chunks: list[bytes] = []

    async def send(self, data: bytes, end_stream: bool = False) -> None:
        self.chunks.append(data)
        self.log.append("send")


class FakeRequest:
    def __init__(self) -> None:
        self.log: list[str] = []
        self.response = FakeResponse(self.log)
        self.headers: dict[str, str] = {}

    async def respond(self, **kwargs: Any) -> FakeResponse:
        self.headers = kwargs["headers"]
        return self.response


async def test_rows_are_sent_in_chunks_while_they_are_produced() -> None:
    request = FakeRequest()
    total = ROWS_PER_CHUNK * 3 + 7

    async def rows() -> AsyncIterator[Sequence[object]]:
        for n in range(total):
            request.log.append("row")
            yield (f"id{n}", f"name, with comma {n}", n)

    await send_csv(cast(Request, request), "x.csv", ("video_id", "video_name", "total_bytes"), rows())
    assert request.headers["Content-Disposition"] == 'attachment; filename="x.csv"'
    assert len(request.response.chunks) == 4
    assert request.log.index("send") < request.log.index("row", ROWS_PER_CHUNK + 1)  # sent before the rest was made
    parsed = list(csv.reader(io.StringIO(b"".join(request.response.chunks).decode())))
    assert parsed[0] == ["video_id", "video_name", "total_bytes"]
    assert len(parsed) == total + 1 and parsed[-1] == [
        f"id{total - 1}",
        f"name, with comma {total - 1}",
        str(total - 1),
    ]
