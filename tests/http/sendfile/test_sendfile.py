"""File bodies sent by ``entrypoints.http.sendfile`` over a real HTTP/1 socket.

Local storage takes the sendfile(2) path, memory storage the streamed one;
every test runs over both, on asyncio's loop and on uvloop. Traffic is
checked twice: the records the route hands to the traffic sink (what the
server reports as sent) and the totals they add up to once ingested.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import socket
import struct
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.jobs.traffic_feed import InProcessTrafficFeed
from adapters.memory import MemoryJobQueue
from adapters.memory.fake_media import fake_video_bytes
from adapters.memory.storage import MemoryStorage
from adapters.storage import LocalStorage
from entrypoints.bootstrap import bootstrap
from entrypoints.config import Config
from entrypoints.http import Resources, create_app, sendfile
from entrypoints.http.presenters import Presenter
from tests.http.conftest import BASE_URL, START
from tests.support.clock import SteppingClock
from tests.support.loopback_server import on_loopback
from vod_core import Vod
from vod_core.traffic import TrafficRecord

_app_names = itertools.count()
WAIT_S = 10.0
"""How long a test waits for the server to report traffic before it fails."""


class Meter:
    """The server's traffic sink: remembers each record and passes it on to the real feed."""

    def __init__(self, feed: InProcessTrafficFeed) -> None:
        self.feed = feed
        self.records: asyncio.Queue[TrafficRecord] = asyncio.Queue()

    def submit(self, record: TrafficRecord) -> None:
        self.records.put_nowait(record)
        self.feed.submit(record)

    async def next(self) -> int:
        record = await asyncio.wait_for(self.records.get(), WAIT_S)
        return record.bytes

    def reported(self) -> list[int]:
        found = []
        while not self.records.empty():
            found.append(self.records.get_nowait().bytes)
        return found


@dataclass
class Server:
    vod: Vod
    storage: LocalStorage | MemoryStorage
    meter: Meter
    port: int
    user_id: str
    key: str
    sendfile_calls: list[int] = field(default_factory=list)

    @property
    def local(self) -> bool:
        return isinstance(self.storage, LocalStorage)

    async def video_file(self, data: bytes) -> str:
        """The storage id of a video's origin file holding ``data``."""
        headers = {"Authorization": f"Bearer {self.key}"}
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{self.port}", headers=headers) as client:
            uploaded = await client.post(
                "/storage/api/upload", params={"filename": "a.mp4"}, content=fake_video_bytes()
            )
            storage_id: str = uploaded.json()["storage_id"]
            created = await client.post("/video/api/create", json={"storage_id": storage_id})
            assert created.status_code == 200, created.text
            # Public: its files are served at stable unsigned URLs (access rules: tests/http/test_media_access.py).
            shared = await client.post(
                "/video/api/set_video_password", params={"id": created.json()["id"]}, json={"shared_state": 2}
            )
            assert shared.status_code == 200, shared.text
        await self.vod.ctx.storage.write(storage_id, _once(data))
        return storage_id

    async def traffic_total(self) -> int:
        await self.meter.feed.wait_idle()
        return await self.vod.traffic.get_user_video_total_summary(self.user_id)

    @asynccontextmanager
    async def connection(self, rcvbuf: int | None = None) -> AsyncIterator[Connection]:
        sock = socket.socket()
        if rcvbuf is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", self.port))
        reader, writer = await asyncio.open_connection(sock=sock, limit=1 << 20)
        try:
            yield Connection(reader, writer, self.key)
        finally:
            writer.close()


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class Connection:
    """A raw HTTP/1.1 client connection: requests go one after another over the same socket."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    key: str

    def send(self, method: str, path: str, headers: dict[str, str] | None = None) -> None:
        fields = {"Host": "vod.test", "Authorization": f"Bearer {self.key}", **(headers or {})}
        lines = [f"{method} {path} HTTP/1.1"] + [f"{k}: {v}" for k, v in fields.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())

    async def head(self) -> tuple[int, dict[str, str]]:
        raw = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), WAIT_S)
        status_line, *header_lines = raw.decode("latin-1").split("\r\n")[:-2]
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return int(status_line.split()[1]), headers

    async def request(self, method: str, path: str, headers: dict[str, str] | None = None) -> Response:
        self.send(method, path, headers)
        status, response_headers = await self.head()
        length = 0 if method == "HEAD" else int(response_headers.get("content-length", "0"))
        body = await asyncio.wait_for(self.reader.readexactly(length), WAIT_S)
        return Response(status, response_headers, body)


@pytest.fixture(params=["local", "memory"])
async def server(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Server]:
    storage = LocalStorage(str(tmp_path / "storage")) if request.param == "local" else MemoryStorage()
    jobs = MemoryJobQueue()
    vod = bootstrap(
        Config.in_memory(public_base_url=BASE_URL), storage=storage, jobs=jobs, clock=SteppingClock(START)
    ).vod
    feed = InProcessTrafficFeed(vod.traffic.ingest, max_delay_s=0.01)
    feed.start()
    meter = Meter(feed)
    resources = Resources(vod, meter, Presenter(vod.ctx.zone, vod.ctx.links))

    @asynccontextmanager
    async def open_resources() -> AsyncIterator[Resources]:
        yield resources

    app = create_app(open_resources, name=f"vod_sendfile_{next(_app_names)}")
    user, key = await vod.users.create_user("alice")
    async with on_loopback(app) as port:
        found = Server(vod, storage, meter, port, user.id, key)
        monkeypatch.setattr(os, "sendfile", _spy(os.sendfile, found.sendfile_calls))
        yield found
    await feed.stop()


def _spy(sendfile: Callable[..., int], calls: list[int]) -> Callable[..., int]:
    def spied(*args: Any) -> int:
        sent = sendfile(*args)
        calls.append(sent)
        return sent

    return spied


DATA = os.urandom(3 * 1024 * 1024 + 17)  # larger than a socket buffer takes at once, not a round number


@pytest.fixture(params=["corked", "uncorked"])
def corking(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Bodies sent under TCP_CORK (every size) or with the head's MSG_MORE alone (every size)."""
    monkeypatch.setattr(sendfile, "CORKED_FROM", 0 if request.param == "corked" else 2**62)


@pytest.mark.usefixtures("corking")
async def test_a_whole_file_arrives_intact_and_is_charged_what_arrived(server: Server) -> None:
    data = DATA
    storage_id = await server.video_file(data)
    async with server.connection() as conn:
        response = await conn.request("GET", f"/files/{storage_id}")
    assert (response.status, response.headers["content-length"]) == (200, str(len(data)))
    assert response.body == data
    assert await server.meter.next() == len(data)
    assert await server.traffic_total() == len(data)
    assert sum(server.sendfile_calls) == (len(data) if server.local else 0)


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-0", 0, 0),
        ("bytes=-1", len(DATA) - 1, len(DATA) - 1),
        (f"bytes={len(DATA) - 1}-", len(DATA) - 1, len(DATA) - 1),
        (f"bytes=0-{len(DATA) - 1}", 0, len(DATA) - 1),
        (f"bytes={len(DATA) - 10}-{len(DATA) + 100}", len(DATA) - 10, len(DATA) - 1),
        ("bytes=262143-1310720", 262143, 1310720),
    ],
)
async def test_ranges_at_the_edges_send_exactly_their_bytes(server: Server, header: str, first: int, last: int) -> None:
    data = DATA
    storage_id = await server.video_file(data)
    async with server.connection() as conn:
        response = await conn.request("GET", f"/files/{storage_id}", {"Range": header})
    assert response.status == 206
    assert response.headers["content-range"] == f"bytes {first}-{last}/{len(data)}"
    assert response.body == data[first : last + 1]
    assert await server.meter.next() == last + 1 - first
    assert await server.traffic_total() == last + 1 - first


@pytest.mark.usefixtures("corking")
async def test_one_connection_serves_one_request_after_another(server: Server) -> None:
    """Keep-alive survives a body sent outside Sanic: the next request is read and answered on the same socket."""
    data = DATA
    storage_id = await server.video_file(data)
    path = f"/files/{storage_id}"
    async with server.connection() as conn:
        whole = await conn.request("GET", path)
        part = await conn.request("GET", path, {"Range": "bytes=1000-1048575"})
        head = await conn.request("HEAD", path)
        again = await conn.request("GET", path, {"Range": "bytes=-100"})
        api = await conn.request("GET", "/health")
        conn.send("GET", path, {"Range": "bytes=5-9"})  # two requests sent before either answer is read
        conn.send("GET", path, {"Range": "bytes=10-14"})
        pipelined = [(await conn.head(), await conn.reader.readexactly(5)) for _ in range(2)]
    assert [r.status for r in (whole, part, head, again, api)] == [200, 206, 200, 206, 200]
    assert all(r.headers["connection"] == "keep-alive" for r in (whole, part, head, again))
    assert (whole.body, part.body, again.body) == (data, data[1000:1048576], data[-100:])
    assert (head.headers["content-length"], head.body) == (str(len(data)), b"")
    assert [body for _, body in pipelined] == [data[5:10], data[10:15]]
    expected = [len(data), 1048576 - 1000, 100, 5, 5]
    assert [await server.meter.next() for _ in expected] == expected  # HEAD is not charged
    assert await server.traffic_total() == sum(expected)


async def test_a_viewer_who_leaves_mid_body_is_charged_what_was_sent(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    data = os.urandom(24 * 1024 * 1024)  # far more than the socket buffers of both ends hold
    storage_id = await server.video_file(data)
    async with server.connection(rcvbuf=64 * 1024) as conn:
        conn.send("GET", f"/files/{storage_id}")
        status, _ = await conn.head()
        received = len(await conn.reader.readexactly(100_000))
        sock = conn.writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close with a reset
    charged = await server.meter.next()
    assert status == 200
    assert received <= charged < len(data)
    if server.local:
        assert sum(server.sendfile_calls) == charged
    assert await server.traffic_total() == charged
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


async def test_a_file_nobody_watches_is_sent_and_charged_to_no_one(server: Server) -> None:
    data = DATA
    headers = {"Authorization": f"Bearer {server.key}"}
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}", headers=headers) as client:
        uploaded = await client.post("/storage/api/upload", params={"filename": "a.bin"}, content=data)
    storage_id = uploaded.json()["storage_id"]
    async with server.connection() as conn:
        # An upload no video uses is its owner's alone.
        response = await conn.request("GET", f"/files/{storage_id}", {"Range": "bytes=100-", **headers})
    assert response.body == data[100:]
    assert server.meter.reported() == []
    assert await server.traffic_total() == 0
