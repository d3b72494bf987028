"""HTTP benchmark: a real ``vod serve`` next to a bare Sanic JSON endpoint, on loopback.

Seeds one user's library with N ready videos (SQLite, written straight
through the repositories), starts ``vod serve`` and a bare Sanic app with
the same server settings, then drives each with the same keep-alive load
generator (raw asyncio streams, so the client costs little next to the
server) and prints requests/s and p99 latency for:

- ``bare``: ``{"errcode": 1000, "msg": "OK"}`` from a bare Sanic handler,
- ``get``: ``GET /video/api/get`` (auth + video + play sets),
- ``list``: ``GET /video/api/list`` page 1 of the N videos,
- ``download``: ``GET /files/<id>`` of a 1 MiB file (traffic counted),

with each figure's ratio to ``bare``; then streams a raw upload of
``--upload-mib`` MiB and reports the server's peak RSS while it arrived.

    .venv/bin/python bench/http.py [--videos 10000] [--seconds 5] [--connections 32] [--upload-mib 2048]
"""

from __future__ import annotations

import os
import sys

# Run as a script, this file's directory comes first on sys.path, and this
# file's name would shadow the standard library's ``http`` package.
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import contextlib  # noqa: E402
import secrets  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import AsyncIterator, Iterator  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402

from sanic import HTTPResponse, Request, Sanic, json  # noqa: E402

from adapters.jobs.traffic_feed import InProcessTrafficFeed  # noqa: E402
from entrypoints.bootstrap import bootstrap  # noqa: E402
from entrypoints.config import Config  # noqa: E402
from entrypoints.http import Resources, create_app  # noqa: E402
from entrypoints.http.presenters import Presenter  # noqa: E402
from vod_core.files import StoredFile  # noqa: E402
from vod_core.video import Video, VideoStatus  # noqa: E402

KEY = os.environ.get("VOD_DEFAULT_API_KEY") or "bench-" + secrets.token_hex(16)
"""Shared with the server processes through VOD_DEFAULT_API_KEY."""
BATCH = 1000
DOWNLOAD_BYTES = 1024 * 1024
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


# -- the library ------------------------------------------------------------------------


async def seed(data_dir: str, videos: int) -> tuple[str, str]:
    """N ready videos of user ``default`` and one 1 MiB stored file; returns a video id and the file's id."""
    async with bootstrap(Config(data_dir=data_dir)) as runtime:
        vod = runtime.vod
        await vod.users.ensure_default_user(KEY)
        user = await vod.users.authenticate(KEY)
        ids = [vod.ctx.ids.new_id() for _ in range(videos)]
        for start in range(0, videos, BATCH):
            async with vod.ctx.uow() as uow:
                for n, video_id in enumerate(ids[start : start + BATCH], start):
                    moment = T0 + timedelta(seconds=n)
                    storage_id = vod.ctx.ids.new_id()
                    await uow.files.add(
                        StoredFile(storage_id, user.id, f"v{n}.mp4", 10_000, "video/mp4", moment, video_id)
                    )
                    await uow.videos.add(
                        Video(
                            video_id, user.id, storage_id, f"video {n}", moment, moment,
                            status=VideoStatus.READY, file_size=10_000, video_width=1280, video_height=720,
                            video_duration=60_000,
                        )
                    )  # fmt: skip
                await uow.commit()
        file_id = vod.ctx.ids.new_id()

        async def body() -> AsyncIterator[bytes]:
            yield os.urandom(DOWNLOAD_BYTES)

        size = await vod.ctx.storage.write(file_id, body())
        async with vod.ctx.uow() as uow:
            await uow.files.add(StoredFile(file_id, user.id, "download.mp4", size, "video/mp4", T0, ids[0]))
            await uow.commit()
    return ids[-1], file_id


# -- servers ----------------------------------------------------------------------------


def bare_server(port: int) -> None:
    """The baseline: Sanic with the settings of ``vod serve`` and one JSON handler."""
    app = Sanic("bare", configure_logging=False)
    app.config.ACCESS_LOG = False

    @app.get("/bare")
    async def bare(request: Request) -> HTTPResponse:
        return json({"errcode": 1000, "msg": "OK"})

    app.run(host="127.0.0.1", port=port, single_process=True, motd=False, access_log=False)


def memory_server(port: int, video_id: str) -> None:
    """The service's HTTP layer over the in-memory core: what the layer costs without a database."""

    @contextlib.asynccontextmanager
    async def resources() -> AsyncIterator[Resources]:
        vod = bootstrap(Config.in_memory()).vod
        user, _ = await vod.users.create_user("default", KEY)
        moment = datetime.now(UTC)
        async with vod.ctx.uow() as uow:
            await uow.videos.add(Video(video_id, user.id, "s1", "memory", moment, moment, status=VideoStatus.READY))
            await uow.commit()
        feed = InProcessTrafficFeed(vod.traffic.ingest)
        yield Resources(vod, feed, Presenter(vod.ctx.zone, vod.ctx.links))

    app = create_app(resources, name="memory")
    app.run(host="127.0.0.1", port=port, single_process=True, motd=False, access_log=False)


@contextlib.contextmanager
def running(command: list[str], port: int, env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    log = open(os.path.join(env["VOD_DATA_DIR"], f"server-{port}.log"), "wb")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(command, env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"{command} did not start")
            time.sleep(0.05)
        yield process
    except BaseException:
        log.seek(0)
        with open(log.name) as printed:
            sys.stderr.write(printed.read()[-5000:])
        raise
    finally:
        process.terminate()
        process.wait(30)
        log.close()


# -- load -------------------------------------------------------------------------------


@dataclass
class Result:
    requests: int
    seconds: float
    latencies: list[float]
    body_bytes: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def p99_ms(self) -> float:
        return statistics.quantiles(self.latencies, n=100)[98] * 1000


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, int]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    return status, length


async def load(port: int, path: str, seconds: float, connections: int) -> Result:
    """Keep ``connections`` keep-alive connections busy with ``GET path`` for ``seconds``."""
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {KEY}\r\n\r\n".encode()
    latencies: list[float] = []
    received = 0
    stop = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal received
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < stop:
                began = time.perf_counter()
                writer.write(request)
                status, length = await _read_response(reader)
                if status not in (200, 206):
                    raise RuntimeError(f"{path} answered {status}")
                latencies.append(time.perf_counter() - began)
                received += length
        finally:
            writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    return Result(len(latencies), time.perf_counter() - began, latencies, received)


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


async def upload(port: int, pid: int, mebibytes: int, *, multipart: bool) -> tuple[float, int, int]:
    """Stream an upload (raw body or multipart form); returns (seconds, peak RSS KiB during it, RSS KiB before)."""
    chunk = b"\0" * (1024 * 1024)
    boundary = "benchboundary" + secrets.token_hex(8)
    preamble = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n\r\n'.encode()
        if multipart
        else b""
    )
    epilogue = f"\r\n--{boundary}--\r\n".encode() if multipart else b""
    content_type = f"multipart/form-data; boundary={boundary}" if multipart else "application/octet-stream"
    size = len(preamble) + mebibytes * len(chunk) + len(epilogue)
    before = peak = rss_kib(pid)
    done = asyncio.Event()

    async def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, rss_kib(pid))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), 0.02)

    sampler = asyncio.create_task(sample())
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    began = time.perf_counter()
    writer.write(
        f"POST /storage/api/upload?filename=big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {KEY}\r\n"
        f"Content-Type: {content_type}\r\nContent-Length: {size}\r\n\r\n".encode()
        + preamble
    )
    for _ in range(mebibytes):
        writer.write(chunk)
        await writer.drain()
    writer.write(epilogue)
    status, _ = await _read_response(reader)
    elapsed = time.perf_counter() - began
    done.set()
    await sampler
    writer.close()
    if status != 200:
        raise RuntimeError(f"upload answered {status}")
    return elapsed, peak, before


# -- report -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Ports:
    vod: int
    bare: int
    memory: int


async def measure(args: argparse.Namespace, ports: Ports, video_id: str, file_id: str) -> None:
    get = f"/video/api/get?id={video_id}"
    for port, path in ((ports.vod, get), (ports.bare, "/bare"), (ports.memory, get)):
        await load(port, path, 1, args.connections)  # warm up
    runs = {
        "bare": await load(ports.bare, "/bare", args.seconds, args.connections),
        "get": await load(ports.vod, get, args.seconds, args.connections),
        "list": await load(ports.vod, "/video/api/list?page=1", args.seconds, args.connections),
        "download": await load(ports.vod, f"/files/{file_id}", args.seconds, min(8, args.connections)),
        "get (in-memory core)": await load(ports.memory, get, args.seconds, args.connections),
    }
    bare = runs["bare"].rps
    print(f"{'endpoint':<22} {'req/s':>9} {'p99 ms':>8} {'vs bare':>8}")
    for name, result in runs.items():
        extra = f"  ({result.body_bytes / result.seconds / 1e6:.0f} MB/s)" if name == "download" else ""
        print(f"{name:<22} {result.rps:>9.0f} {result.p99_ms:>8.1f} {result.rps / bare:>7.0%}{extra}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--videos", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--upload-mib", type=int, default=2048)
    parser.add_argument("--bare-server", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--memory-server", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_server:
        bare_server(args.bare_server)
        return
    if args.memory_server:
        memory_server(int(args.memory_server[0]), args.memory_server[1])
        return
    with tempfile.TemporaryDirectory(prefix="vod-bench-") as data_dir:
        started = time.perf_counter()
        video_id, file_id = asyncio.run(seed(data_dir, args.videos))
        print(f"seeded {args.videos} videos in {time.perf_counter() - started:.1f} s")
        vod_port, bare_port, memory_port = free_port(), free_port(), free_port()
        env = {**os.environ, "VOD_DATA_DIR": data_dir, "VOD_PORT": str(vod_port), "VOD_DEFAULT_API_KEY": KEY}
        vod = [str(os.path.join(os.path.dirname(sys.executable), "vod")), "serve"]
        bare = [sys.executable, __file__, "--bare-server", str(bare_port)]
        memory = [sys.executable, __file__, "--memory-server", str(memory_port), video_id]
        with running(vod, vod_port, env) as server, running(bare, bare_port, env), running(memory, memory_port, env):
            asyncio.run(measure(args, Ports(vod_port, bare_port, memory_port), video_id, file_id))
            for multipart in (False, True) if args.upload_mib else ():
                seconds, peak, before = asyncio.run(upload(vod_port, server.pid, args.upload_mib, multipart=multipart))
                print(
                    f"upload {args.upload_mib} MiB ({'multipart' if multipart else 'raw body'}): "
                    f"{args.upload_mib / seconds:.0f} MiB/s, server RSS {before / 1024:.0f} MiB before, "
                    f"peak {peak / 1024:.0f} MiB during the upload"
                )


if __name__ == "__main__":
    main()
