"""200 health probes in flight do not slow other requests down (issue 11, item 7).

A real ``vod serve`` on SQLite. Each round opens a burst of 200 requests on
200 kept-alive connections and, while they are in flight, times one
authenticated request on a connection of its own: a read
(``GET /video/api/get``) and a write (``POST /video/api/update``). Bursts of
``/health`` probes alternate with bursts of requests for an unknown path,
which touch no database: whatever the event loop spends parsing 200
requests is in both, so on a loaded machine the comparison stays fair.

A probe that took the database's write lock (as ``/health`` once did) made
every one of them wait for the one before, and the ``get`` behind them all;
a probe that reads costs what any small request costs.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.conftest import API_KEY, start_server

pytestmark = pytest.mark.slow

PROBES = 200
ROUNDS = 12
MAX_RATIO = 2.0
"""Measured on a loaded 2-core machine: about 1.1 (get) and 1.3 (update) today; 3.4 for the update
when every probe took the write lock."""


class Connection:
    """One kept-alive HTTP/1.1 connection, requests written whole, responses read by Content-Length."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        return cls(*await asyncio.open_connection("127.0.0.1", port))

    def send(self, path: str, headers: str = "", method: str = "GET", body: bytes = b"") -> None:
        if body:
            headers += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        self.writer.write(f"{method} {path} HTTP/1.1\r\nHost: vod.test\r\n{headers}\r\n".encode() + body)

    async def status(self) -> int:
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        length = next(int(line.split(":")[1]) for line in lines if line.lower().startswith("content-length:"))
        await self.reader.readexactly(length)
        return int(lines[0].split()[1])

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()


Timed = tuple[str, str, bytes]
"""method, path, body of the request whose latency is measured."""


async def timed_during_burst(burst: list[Connection], client: Connection, burst_path: str, timed: Timed) -> float:
    for connection in burst:
        connection.send(burst_path)
    await asyncio.gather(*(connection.writer.drain() for connection in burst))
    method, path, body = timed
    start = time.perf_counter()
    client.send(path, f"Authorization: Bearer {API_KEY}\r\n", method, body)
    assert await client.status() == 200
    elapsed = time.perf_counter() - start
    statuses = await asyncio.gather(*(connection.status() for connection in burst))
    expected = 200 if burst_path == "/health" else 404
    assert statuses == [expected] * len(burst), sorted(set(statuses))
    return elapsed


async def measure(port: int, timed: Timed) -> tuple[list[float], list[float]]:
    burst = [await Connection.open(port) for _ in range(PROBES)]
    client = await Connection.open(port)
    with_probes: list[float] = []
    with_other: list[float] = []
    try:
        for _ in range(2):  # warm up both kinds (connections, caches)
            await timed_during_burst(burst, client, "/health", timed)
            await timed_during_burst(burst, client, "/no/such/path", timed)
        for _ in range(ROUNDS):
            with_probes.append(await timed_during_burst(burst, client, "/health", timed))
            with_other.append(await timed_during_burst(burst, client, "/no/such/path", timed))
    finally:
        await asyncio.gather(*(connection.close() for connection in [*burst, client]))
    return with_probes, with_other


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, str]]:
    """A server with one video: (port, video id)."""
    server = start_server(tmp_path_factory.mktemp("vod-data"), VOD_DEFAULT_API_KEY=API_KEY)
    try:
        api = server.client()
        upload = api.post("/storage/api/upload", params={"filename": "a.bin"}, content=b"not a video")
        created = api.post("/video/api/create", json={"storage_id": upload.json()["storage_id"]})
        yield int(httpx.URL(server.base_url).port or 0), created.json()["id"]
    finally:
        code, output = server.stop()
    assert code == 0, output


@pytest.mark.parametrize("kind", ["get", "update"])
def test_requests_keep_their_latency_while_200_health_probes_are_in_flight(served: tuple[int, str], kind: str) -> None:
    port, video_id = served
    timed: Timed = (
        ("GET", f"/video/api/get?id={video_id}", b"")
        if kind == "get"
        else ("POST", f"/video/api/update?id={video_id}", json.dumps({"video_name": "renamed"}).encode())
    )
    with_probes, with_other = asyncio.run(measure(port, timed))
    ratio = statistics.median(with_probes) / statistics.median(with_other)
    report = f"{kind}: p50 with probes {statistics.median(with_probes) * 1000:.1f} ms, with other requests " + (
        f"{statistics.median(with_other) * 1000:.1f} ms (ratio {ratio:.2f})"
    )
    print(report)
    assert ratio < MAX_RATIO, report
