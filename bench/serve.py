"""Media serving speed: ``vod serve`` next to nginx (``sendfile on``) on the same file, driven by wrk.

Starts ``vod serve`` (a temp SQLite data dir) and uploads a video whose
file is ``--mib`` MiB (a short real clip padded with an MP4 ``free`` box,
so it is processed to ready quickly); serves the very same stored file from
Debian's nginx, started here as a child process on a free loopback port
with its own config (``sendfile on``, ``access_log off``, ``--nginx-workers``
worker processes, 1 by default, like the single ``vod serve`` process).
Then wrk (``--connections`` connections, two threads, ``--seconds`` each)
fetches, from nginx then from the service, the whole file and then random
1 MiB-aligned 1 MiB ranges (a Lua script sets ``Range``), and the throughput
of each is printed side by side with the ratio. The service is fetched at
the URL its API hands out (``origin_url``).

Traffic: the service counts the body bytes it handed to the connection.
wrk stops mid-response when its time is up, so during a wrk run the count
is the completed bodies plus what was already sent of the cut-off ones; the
bench prints that excess. Then, to check the count to the byte, it fetches
whole files and ranges on one keep-alive connection, reading every body to
its end, and compares the service's traffic total before and after with
the bytes received.

Throughput ratios are only as good as the machine is quiet: on a machine
shared with other work both servers get whatever CPU is left. So the bench
also prints each server's CPU time (user + system) per GB
it served: the cost of serving, which load changes far less. It is not a
throughput forecast: whole files are limited by the client's copying as
much as by the server's CPU.

    .venv/bin/python -m bench.serve [--mib 30] [--seconds 5] [--connections 8] [--nginx-workers 1]

Needs ``nginx`` and ``wrk`` on the PATH (Debian: ``apt-get install nginx wrk``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
import psutil

from bench.transcode import make_source

KEY = "bench-" + secrets.token_hex(16)
MIB = 1024 * 1024

RANGE_SCRIPT = r"""
local mode, size, mib = "whole", 0, 1048576
local counter = 0
setup = function(thread)
  thread:set("seed", counter)
  counter = counter + 1
end
init = function(args)
  mode = args[1]
  size = tonumber(args[2])
  math.randomseed(os.time() * 100 + (seed or 0))
end
request = function()
  if mode == "range" then
    local first = math.random(0, math.floor(size / mib) - 1) * mib
    return wrk.format(nil, nil, {["Range"] = string.format("bytes=%d-%d", first, first + mib - 1)})
  end
  return wrk.format(nil, nil, nil)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %.3f\n", summary.requests, summary.bytes, summary.duration,
    e.connect + e.read + e.write + e.status + e.timeout, latency:percentile(99) / 1000))
end
"""

NGINX_CONF = """
{user}
worker_processes {workers};
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 256; }}
http {{
    sendfile on;
    tcp_nopush on;
    access_log off;
    keepalive_requests 1000000;
    default_type application/octet-stream;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location = /file.mp4 {{ alias {path}; }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` and its descendants (nginx's worker is a child of its master)."""
    process = psutil.Process(pid)
    total = 0.0
    for member in (process, *process.children(recursive=True)):
        with contextlib.suppress(psutil.NoSuchProcess):
            times = member.cpu_times()
            total += times.user + times.system
    return total


def load_average() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def padded_clip(path: str, size: int) -> None:
    """A short real MP4 followed by a top-level ``free`` box up to ``size`` bytes (players and probes skip it)."""
    make_source(path, 2, 320, 240, 25)
    with open(path, "ab") as out:
        pad = size - out.tell()
        if pad < 8:
            raise SystemExit(f"--mib is too small for the clip ({out.tell()} bytes)")
        out.write(struct.pack(">I4s", pad, b"free"))
        left = pad - 8
        while left:
            n = min(left, 4 * MIB)
            out.write(os.urandom(n))
            left -= n


@contextlib.contextmanager
def running(command: list[str], port: int, log_path: str, env: dict[str, str] | None = None) -> Iterator[int]:
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=log)
        try:
            deadline = time.monotonic() + 60
            while True:
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
                if time.monotonic() > deadline or process.poll() is not None:
                    with open(log_path) as printed:
                        sys.stderr.write(printed.read()[-5000:])
                    raise RuntimeError(f"{command[0]} did not start")
                time.sleep(0.05)
            yield process.pid
        finally:
            process.terminate()
            process.wait(30)


def publish(base: str, clip: str) -> tuple[str, str]:
    """Upload ``clip`` as a video, wait until it is ready; returns its ``origin_url`` path and the storage id."""
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {KEY}"}, timeout=60) as client:
        with open(clip, "rb") as body:
            uploaded = client.post("/storage/api/upload", params={"filename": "bench.mp4"}, content=body)
        uploaded.raise_for_status()
        storage_id = uploaded.json()["storage_id"]
        created = client.post("/video/api/create", json={"storage_id": storage_id})
        created.raise_for_status()
        video_id = created.json()["id"]
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            video = client.get("/video/api/get", params={"id": video_id}).json()["video"]
            if video["origin_url"]:
                url = urlsplit(video["origin_url"])
                return url.path + (f"?{url.query}" if url.query else ""), storage_id
            time.sleep(0.2)
    raise RuntimeError("the video did not become ready")


def traffic_total(base: str) -> int:
    """The user's traffic once the in-process feed (flushes within a second) has written all of it."""
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {KEY}"}) as client:
        last = -1
        while True:
            response = client.get("/video/api/get_user_video_total_summary")
            total: int = response.json()["user_video_total_summary"]["total_bytes"]
            if total == last:
                return total
            last = total
            time.sleep(1.5)


@dataclass
class Run:
    requests: int
    bytes: int
    seconds: float
    errors: int
    p99_ms: float

    @property
    def rate(self) -> float:
        return self.bytes / self.seconds


def wrk(url: str, mode: str, size: int, script: str, args: argparse.Namespace) -> Run:
    command = ["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "--timeout", "10s", "-s", script]
    output = subprocess.run([*command, url, "--", mode, str(size)], capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    requests, read, micros, errors, p99 = line.split()[1:]
    return Run(int(requests), int(read), int(micros) / 1e6, int(errors), float(p99))


async def exact_check(port: int, path: str, size: int, wholes: int, ranges: int) -> int:
    """Whole files and 1 MiB ranges over one keep-alive connection, each read to its end; body bytes received."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=4 * MIB)
    received = 0
    try:
        for n in range(wholes + ranges):
            header = (
                ""
                if n < wholes
                else f"Range: bytes={(n * MIB) % (size - MIB)}-{(n * MIB) % (size - MIB) + MIB - 1}\r\n"
            )
            writer.write(f"GET {path} HTTP/1.1\r\nHost: bench\r\n{header}\r\n".encode())
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").lower()
            length = int(head.split("content-length:")[1].split("\r\n")[0])
            received += len(await reader.readexactly(length))
    finally:
        writer.close()
    return received


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mib", type=int, default=30)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--nginx-workers", type=int, default=1)
    args = parser.parse_args()
    for tool in ("nginx", "wrk"):
        if shutil.which(tool) is None and not os.path.exists(f"/usr/sbin/{tool}"):
            raise SystemExit(f"{tool} is not installed (Debian: apt-get install -y {tool})")
    print(f"load average before: {load_average()}")
    with tempfile.TemporaryDirectory(prefix="vod-bench-serve-") as tmp:
        data_dir, nginx_dir = os.path.join(tmp, "data"), os.path.join(tmp, "nginx")
        os.makedirs(nginx_dir)
        clip = os.path.join(tmp, "clip.mp4")
        size = args.mib * MIB
        padded_clip(clip, size)
        script = os.path.join(tmp, "bench.lua")
        with open(script, "w") as f:
            f.write(RANGE_SCRIPT)
        vod_port, nginx_port = free_port(), free_port()
        env = {**os.environ, "VOD_DATA_DIR": data_dir, "VOD_HOST": "127.0.0.1", "VOD_PORT": str(vod_port)}
        env["VOD_DEFAULT_API_KEY"] = KEY
        vod_command = [os.path.join(os.path.dirname(sys.executable), "vod"), "serve"]
        base = f"http://127.0.0.1:{vod_port}"
        with running(vod_command, vod_port, os.path.join(tmp, "vod.log"), env) as vod_pid:
            path, storage_id = publish(base, clip)
            stored = os.path.join(data_dir, "storage", "objects", storage_id)
            assert os.path.getsize(stored) == size, "the stored file is not the uploaded one"
            conf = os.path.join(nginx_dir, "nginx.conf")
            with open(conf, "w") as f:
                user = "user root;" if os.geteuid() == 0 else ""  # the data dir is private to this user
                f.write(
                    NGINX_CONF.format(
                        user=user, workers=args.nginx_workers, tmp=nginx_dir, port=nginx_port, path=stored
                    )
                )
            nginx = [
                shutil.which("nginx") or "/usr/sbin/nginx",
                "-p",
                nginx_dir,
                "-c",
                conf,
                "-e",
                f"{nginx_dir}/error.log",
            ]
            with running(nginx, nginx_port, os.path.join(tmp, "nginx.out")) as nginx_pid:
                print(f"file: {size:,} bytes; wrk: 2 threads, {args.connections} connections, {args.seconds} s per run")
                print(f"nginx {args.nginx_workers} worker(s), sendfile on; vod serve: one process")
                print(f"{'what':<16} {'nginx':>12} {'vod serve':>12} {'ratio':>7} {'nginx p99':>10} {'vod p99':>9}")
                for mode, label, body in (("whole", "whole file", size), ("range", "1 MiB ranges", MIB)):
                    cpu = cpu_seconds(nginx_pid)
                    theirs = wrk(f"http://127.0.0.1:{nginx_port}/file.mp4", mode, size, script, args)
                    their_cpu = (cpu_seconds(nginx_pid) - cpu) / (theirs.bytes / 1e9)
                    before = traffic_total(base)
                    cpu = cpu_seconds(vod_pid)
                    ours = wrk(base + path, mode, size, script, args)
                    our_cpu = (cpu_seconds(vod_pid) - cpu) / (ours.bytes / 1e9)
                    counted = traffic_total(base) - before
                    print(
                        f"{label:<16} {theirs.rate / 1e9:>8.2f} GB/s {ours.rate / 1e9:>7.2f} GB/s "
                        f"{ours.rate / theirs.rate:>7.0%} {theirs.p99_ms:>7.1f} ms {ours.p99_ms:>6.1f} ms"
                    )
                    print(
                        f"  server CPU per GB served: nginx {their_cpu:.3f} s, vod serve {our_cpu:.3f} s "
                        f"(nginx's / ours: {their_cpu / our_cpu:.0%})"
                    )
                    completed = ours.requests * body
                    print(
                        f"  traffic counted by the service: {counted:,} bytes = {ours.requests:,} complete bodies "
                        f"({completed:,}) + {counted - completed:,} of responses wrk cut off when its time was up "
                        f"(at most {args.connections} x {body:,}); errors nginx/vod: {theirs.errors}/{ours.errors}"
                    )
                before = traffic_total(base)
                received = asyncio.run(exact_check(vod_port, path, size, 5, 50))
                counted = traffic_total(base) - before
                verdict = "exact" if counted == received else "MISMATCH"
                print(
                    f"exact check, 5 whole files + 50 ranges on one connection: received {received:,} bytes, "
                    f"counted {counted:,}: {verdict}"
                )
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
