"""Object storage throughput: ``vod serve`` on S3 next to the S3 client library talking to the same server.

Starts moto's S3 server on loopback in a child process (``tests/support/s3.py``,
the store the tests use), one bucket, and ``vod serve`` with
``VOD_STORAGE_URL=s3://<bucket>/bench/`` (SQLite in a temp data dir, no
Redis). Then, in one run and against the same S3 server:

- upload: directly, obstore's ``put`` of ``--size`` bytes (default 1 GiB)
  streamed in 1 MiB chunks, a multipart upload with the adapter's part size
  and parts in flight (8 MiB, 4), so that the difference is the service's
  own cost, deleted again so that moto holds the same when each upload
  starts; then as many bytes streamed as a raw body to
  ``POST /storage/api/upload`` on one connection, the server's RSS sampled
  every 20 ms (``bench/http.py``'s upload);
- download: the object the service stored, in turns: a full GET at
  ``/files/<storage id>`` (its owner's API key), read into one reused
  buffer so that the client costs little; directly, obstore's ``get``,
  streamed. Each ``--downloads`` times; the medians count.

It prints the throughput of each side by side with the ratio (the target is
the service at 80% of direct or more), the service's CPU time per GB moved,
the server's RSS before and at its peak during the upload next to the size
(flat: the growth is bounded, not proportional to the size), and the load
average before and after. The machine has 2 cores that the S3 server, the
service and this client share, with whatever else runs: compare the
figures of one run, and prefer the CPU per GB, which load changes least.

    .venv/bin/python -m bench.storage [--size 1GiB] [--downloads 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator

import obstore
from obstore.store import S3Store

from adapters.storage.s3 import PART_CONCURRENCY, PART_SIZE
from bench.http import KEY, upload
from bench.serve import cpu_seconds, free_port, load_average, running
from tests.support.s3 import S3Server, running_s3_server

MIB = 1024 * 1024
PREFIX = "bench/"
UNITS = {"": 1, "b": 1, "kib": 1024, "mib": MIB, "gib": 1024 * MIB}


def mebibytes(raw: str) -> int:
    """``1GiB``, ``512MiB`` or a number of bytes, as whole MiB."""
    found = re.fullmatch(r"\s*(\d+)\s*([kmg]ib|b)?\s*", raw.lower())
    if found is None:
        raise argparse.ArgumentTypeError(f"a size like 1GiB or 512MiB, not {raw!r}")
    size = int(found[1]) * UNITS[found[2] or ""]
    if size < MIB or size % MIB:
        raise argparse.ArgumentTypeError(f"a whole number of MiB, at least 1, not {size} bytes")
    return size // MIB


async def download(port: int, path: str) -> tuple[float, int]:
    """GET ``path`` on one connection; (seconds, body bytes). Read into one reused buffer: the client costs little."""
    loop = asyncio.get_running_loop()
    buffer = bytearray(MIB)
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.setblocking(False)
        began = time.perf_counter()
        request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {KEY}\r\n\r\n"
        await loop.sock_sendall(sock, request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            read = await loop.sock_recv_into(sock, buffer)
            if not read:
                raise RuntimeError("the service closed the connection before answering")
            head += buffer[:read]
        head, _, body = head.partition(b"\r\n\r\n")
        text = head.decode("latin-1")
        declared = re.search(r"(?im)^content-length:\s*(\d+)", text)
        if not text.startswith("HTTP/1.1 200") or declared is None:
            raise RuntimeError(f"the download answered {text.splitlines()[0]}")
        length = int(declared[1])
        left = length - len(body)
        while left > 0:
            read = await loop.sock_recv_into(sock, buffer)
            if not read:
                raise RuntimeError(f"the download ended {left} bytes early")
            left -= read
        return time.perf_counter() - began, length


async def direct_upload(store: S3Store, key: str, mib: int) -> float:
    chunk = b"\0" * MIB

    async def body() -> AsyncIterator[bytes]:
        for _ in range(mib):
            yield chunk

    began = time.perf_counter()
    await obstore.put_async(store, key, body(), chunk_size=PART_SIZE, max_concurrency=PART_CONCURRENCY)
    return time.perf_counter() - began


async def direct_download(store: S3Store, key: str) -> tuple[float, int]:
    began = time.perf_counter()
    received = 0
    reply = await obstore.get_async(store, key)
    async for chunk in reply.stream(min_chunk_size=MIB):
        received += len(chunk)
    return time.perf_counter() - began, received


def stored_id(s3: S3Server, bucket: str) -> str:
    """The storage id of the one object the service stored (listed by moto, not by our adapter)."""
    (key,) = [k for k in s3.keys(bucket) if k.startswith(f"{PREFIX}objects/")]
    return key.rsplit("/", 1)[1]


def rate(size: int, seconds: float) -> str:
    return f"{size / seconds / 1e6:>8.0f} MB/s"


async def measure(args: argparse.Namespace, s3: S3Server, bucket: str, port: int, pid: int) -> None:
    """Direct upload first (then deleted: moto holds the same when each upload starts), the service's next;
    then both sides download the object the service stored, in turns."""
    size = args.size * MIB
    store = s3.client(bucket)
    theirs = await direct_upload(store, "direct/upload", args.size)
    await obstore.delete_async(store, "direct/upload")
    cpu = cpu_seconds(pid)
    ours, peak, before = await upload(port, pid, args.size, multipart=False)
    upload_cpu = cpu_seconds(pid) - cpu
    storage_id = stored_id(s3, bucket)
    our_reads, their_reads = [], []
    cpu = cpu_seconds(pid)
    for _ in range(args.downloads):
        seconds, received = await download(port, f"/files/{storage_id}")
        assert received == size, f"the service sent {received} bytes of {size}"
        our_reads.append(seconds)
        seconds, received = await direct_download(store, f"{PREFIX}objects/{storage_id}")
        assert received == size, f"obstore read {received} bytes of {size}"
        their_reads.append(seconds)
    download_cpu = (cpu_seconds(pid) - cpu) / args.downloads
    our_read, their_read = statistics.median(our_reads), statistics.median(their_reads)
    gb = size / 1e9
    print(f"{'what':<30} {'direct':>13} {'vod serve':>13} {'ratio':>6}  vod serve CPU per GB")
    print(
        f"{'upload (one stream)':<30} {rate(size, theirs)} {rate(size, ours)} {theirs / ours:>6.0%}"
        f"  {upload_cpu / gb:.2f} s"
    )
    print(
        f"{f'download, median of {args.downloads}':<30} {rate(size, their_read)} {rate(size, our_read)} "
        f"{their_read / our_read:>6.0%}  {download_cpu / gb:.2f} s"
    )
    growth = (peak - before) / 1024
    print(
        f"server RSS during the upload: {before / 1024:.0f} MiB before, peak {peak / 1024:.0f} MiB: "
        f"+{growth:.0f} MiB for {args.size:,} MiB uploaded ({growth / args.size:.1%} of the size)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=mebibytes, default=1024, help="bytes to upload: 1GiB (default), 512MiB, ...")
    parser.add_argument("--downloads", type=int, default=3, help="full downloads timed on each side (median)")
    args = parser.parse_args()
    print(f"load average before: {load_average()}")
    with running_s3_server() as s3, tempfile.TemporaryDirectory(prefix="vod-bench-storage-") as tmp:
        bucket = s3.create_bucket()
        port = free_port()
        env = {
            **os.environ,
            **s3.environment(bucket, PREFIX),
            "VOD_DATA_DIR": os.path.join(tmp, "data"),
            "VOD_HOST": "127.0.0.1",
            "VOD_PORT": str(port),
            "VOD_DEFAULT_API_KEY": KEY,
        }
        vod = [os.path.join(os.path.dirname(sys.executable), "vod"), "serve"]
        print(f"{args.size:,} MiB through vod serve (S3 storage) and obstore, both to moto_server on loopback")
        with running(vod, port, os.path.join(tmp, "vod.log"), env) as pid:
            asyncio.run(measure(args, s3, bucket, port, pid))
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
