"""Upload speed: a tus upload in chunks next to the plain streamed upload of the same file, against ``vod serve``.

Writes a file of ``--size`` random bytes (1 GiB by default) and starts
``vod serve`` (default local storage, a temp SQLite data dir). Then, in the
same run and ``--repeat`` times, uploads that file:

- plain: ``POST /storage/api/upload``, a multipart form whose ``file``
  field httpx streams from disk;
- tus: ``tuspy`` (a third-party tus 1.0 client) against ``/storage/api/tus``,
  ``--chunk-mib`` MiB per PATCH (8 by default). tuspy reads one chunk from
  the file at a time and sends it as the body of one PATCH, so the client
  holds one chunk, never the file.

For each it prints the throughput (file bytes / wall time, the creation
POST included for tus), the ratio tus / plain, the server's resident memory
sampled every 10 ms during the upload (peak minus the figure right before
it: flat means bounded, not growing with the size) and the server's CPU
time per GiB received. Each stored file is then checked: its size through
``/storage/api/get`` and the SHA-256 of its bytes fetched from
``/files/<storage_id>`` must be the source's, so the figures are of correct
uploads. Each upload starts after ``os.sync()`` (the previous one's
page-cache writeback would otherwise slow the next one's fsyncs), and runs
alternate which of the two goes first. The load average
(``os.getloadavg()``) is printed before, between and after the uploads: the
machine is shared, so with ``--repeat`` the median ratio is printed too.

    .venv/bin/python -m bench.upload [--size 1GiB] [--chunk-mib 8] [--repeat 1]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from tusclient.client import TusClient

from bench.serve import KEY, MIB, cpu_seconds, free_port, running

SIZE_UNITS = {"": 1, "k": 1024, "m": MIB, "g": 1024 * MIB}
SAMPLE_S = 0.01


def parse_size(text: str) -> int:
    match = re.fullmatch(r"(\d+)\s*([kmg]i?b?|b?)", text.strip(), re.IGNORECASE)
    if match is None:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 1GiB, 256MiB, 1048576)")
    unit = match[2].lower().rstrip("b").rstrip("i")
    return int(match[1]) * SIZE_UNITS[unit]


def load() -> str:
    return " ".join(f"{figure:.2f}" for figure in os.getloadavg())


def random_file(path: str, size: int) -> str:
    """``size`` random bytes at ``path``; returns their SHA-256."""
    digest = hashlib.sha256()
    with open(path, "wb") as out:
        left = size
        while left:
            block = os.urandom(min(left, 4 * MIB))
            digest.update(block)
            out.write(block)
            left -= len(block)
    return digest.hexdigest()


def rss(pid: int) -> int:
    """Resident bytes of process ``pid``."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


class RssSampler:
    """The server's RSS right before (``baseline``) and at its highest during (``peak``) a ``with`` block."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.baseline = self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_S):
            self.peak = max(self.peak, rss(self.pid))

    def __enter__(self) -> RssSampler:
        self.baseline = self.peak = rss(self.pid)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss(self.pid))


@dataclass(frozen=True)
class Upload:
    seconds: float
    storage_id: str
    baseline: int
    peak: int
    server_cpu: float
    """CPU seconds (user + system) the server spent during the upload."""

    def rate(self, size: int) -> float:
        return size / self.seconds


def plain(base: str, path: str) -> str:
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {KEY}"}, timeout=600) as client:
        with open(path, "rb") as body:
            reply = client.post("/storage/api/upload", files={"file": ("bench.bin", body, "application/octet-stream")})
        reply.raise_for_status()
        storage_id: str = reply.json()["storage_id"]
        return storage_id


def tus(base: str, path: str, chunk_bytes: int) -> str:
    client = TusClient(f"{base}/storage/api/tus", headers={"Authorization": f"Bearer {KEY}"})
    with open(path, "rb") as stream:
        uploader = client.uploader(file_stream=stream, chunk_size=chunk_bytes, metadata={"filename": "bench.bin"})
        uploader.upload()
        url: str = uploader.url
    return url.rsplit("/", 1)[-1]


def timed(pid: int, send: Callable[[], str]) -> Upload:
    os.sync()  # the last upload's dirty pages written back first: they would slow this one's fsyncs
    cpu = cpu_seconds(pid)
    with RssSampler(pid) as sampler:
        began = time.perf_counter()
        storage_id = send()
        seconds = time.perf_counter() - began
    return Upload(seconds, storage_id, sampler.baseline, sampler.peak, cpu_seconds(pid) - cpu)


def verify(base: str, storage_id: str, size: int, sha256: str) -> None:
    """The stored file's size (API) and the SHA-256 of its bytes as served must be the source's."""
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {KEY}"}, timeout=600) as client:
        info = client.get("/storage/api/get", params={"id": storage_id})
        info.raise_for_status()
        stored = info.json()["file_size"]
        digest = hashlib.sha256()
        with client.stream("GET", f"/files/{storage_id}") as reply:
            reply.raise_for_status()
            for block in reply.iter_bytes(MIB):
                digest.update(block)
    if stored != size or digest.hexdigest() != sha256:
        raise SystemExit(f"upload {storage_id} is not the source: {stored:,} bytes, sha256 {digest.hexdigest()}")


def report(label: str, upload: Upload, size: int) -> None:
    print(
        f"{label:<6} {upload.rate(size) / MIB:>8.0f} MiB/s {upload.seconds:>7.2f} s   server RSS "
        f"{upload.baseline / MIB:.0f} MiB before, peak {upload.peak / MIB:.0f} MiB "
        f"(+{(upload.peak - upload.baseline) / MIB:.1f} MiB)   server CPU {upload.server_cpu * 2**30 / size:.2f} s/GiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=parse_size, default=1024 * MIB, help="file size, e.g. 1GiB, 256MiB")
    parser.add_argument("--chunk-mib", type=int, default=8, help="bytes per tus PATCH, in MiB")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    print(f"load average before: {load()}")
    with tempfile.TemporaryDirectory(prefix="vod-bench-upload-") as tmp:
        source = os.path.join(tmp, "source.bin")
        sha256 = random_file(source, args.size)
        port = free_port()
        env = {**os.environ, "VOD_DATA_DIR": os.path.join(tmp, "data"), "VOD_HOST": "127.0.0.1"}
        env.update({"VOD_PORT": str(port), "VOD_DEFAULT_API_KEY": KEY, "VOD_MAX_UPLOAD_BYTES": str(args.size + MIB)})
        command = [os.path.join(os.path.dirname(sys.executable), "vod"), "serve"]
        base = f"http://127.0.0.1:{port}"
        print(f"file: {args.size:,} bytes; tus: tuspy, {args.chunk_mib} MiB per PATCH; plain: httpx multipart")
        ratios: list[float] = []
        with running(command, port, os.path.join(tmp, "vod.log"), env) as pid:
            for run in range(1, args.repeat + 1):
                uploads: dict[str, Upload] = {}
                sends: dict[str, Callable[[], str]] = {
                    "plain": lambda: plain(base, source),
                    "tus": lambda: tus(base, source, args.chunk_mib * MIB),
                }
                for label in ("plain", "tus") if run % 2 else ("tus", "plain"):  # alternate which goes first
                    uploads[label] = timed(pid, sends[label])
                    verify(base, uploads[label].storage_id, args.size, sha256)
                    report(label, uploads[label], args.size)
                ratio = uploads["tus"].rate(args.size) / uploads["plain"].rate(args.size)
                ratios.append(ratio)
                print(
                    f"run {run}: tus / plain = {ratio:.0%} (target >= 80%); both stored files verified "
                    f"(size, sha256); load average: {load()}"
                )
        if len(ratios) > 1:
            listed = ", ".join(f"{ratio:.0%}" for ratio in ratios)
            print(f"tus / plain over {len(ratios)} runs: median {statistics.median(ratios):.0%} ({listed})")
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
