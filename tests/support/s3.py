"""A real S3-protocol server on loopback for tests and benchmarks: moto's standalone server, in a child process.

A child process rather than moto's ``ThreadedMotoServer``: the server then
competes with the code under test for CPU like a real store would, not for
this process's GIL, and this process's memory is not the server's.

Each test gets its own bucket (:func:`create_bucket`); the server keeps
everything in memory, so stopping it at the end of the run removes every
bucket with it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import obstore
from obstore.store import S3Store

START_TIMEOUT_S = 30.0
REGION = "us-east-1"
ACCESS_KEY = "vod-test"
SECRET_KEY = "vod-test-secret"


@dataclass(frozen=True)
class S3Server:
    """Where the server listens; moto accepts any credentials, these are passed so that clients sign requests."""

    endpoint_url: str

    def environment(self, bucket: str, prefix: str = "") -> dict[str, str]:
        """The settings of a ``vod`` process storing its files in ``bucket`` (API.md C2)."""
        return {
            "VOD_STORAGE_URL": f"s3://{bucket}/{prefix}",
            "VOD_S3_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_REGION": REGION,
        }

    @classmethod
    def nowhere(cls) -> S3Server:
        """An endpoint on loopback where nothing listens: a store that is down."""
        return cls(endpoint_url=f"http://127.0.0.1:{_free_port()}")  # free once the probe socket closed

    def create_bucket(self, name: str | None = None) -> str:
        """A new empty bucket (its name is returned): moto does not check signatures, a plain PUT creates it."""
        bucket = name or f"vod-test-{secrets.token_hex(6)}"
        httpx.put(f"{self.endpoint_url}/{bucket}", timeout=10).raise_for_status()
        return bucket

    def keys(self, bucket: str) -> list[str]:
        """Every key in ``bucket``, through moto's own listing (independent of our adapter)."""
        found: list[str] = []
        token = ""
        while True:
            params = {"list-type": "2", **({"continuation-token": token} if token else {})}
            reply = httpx.get(f"{self.endpoint_url}/{bucket}", params=params, timeout=10)
            reply.raise_for_status()
            found += _xml_values(reply.text, "Key")
            tokens = _xml_values(reply.text, "NextContinuationToken")
            if not tokens:
                return found
            token = tokens[0]

    def client(self, bucket: str) -> S3Store:
        """obstore's own client of ``bucket`` (independent of our adapter), keys taken as they are."""
        return S3Store(
            bucket,
            endpoint=self.endpoint_url,
            access_key_id=ACCESS_KEY,
            secret_access_key=SECRET_KEY,
            region=REGION,
            client_options={"allow_http": True},
        )

    def read(self, bucket: str, key: str) -> bytes:
        """The bytes of ``key`` in ``bucket`` (signed: moto refuses anonymous reads of objects, not listings)."""
        return bytes(obstore.get(self.client(bucket), key).bytes())

    def multipart_uploads(self, bucket: str) -> list[str]:
        """Keys of the multipart uploads started in ``bucket`` and neither completed nor aborted."""
        reply = httpx.get(f"{self.endpoint_url}/{bucket}", params={"uploads": ""}, timeout=10)
        reply.raise_for_status()
        return _xml_values(reply.text, "Key")


def _xml_values(document: str, tag: str) -> list[str]:
    import xml.etree.ElementTree as ET

    root = ET.fromstring(document)
    return [element.text or "" for element in root.iter() if element.tag.rsplit("}", 1)[-1] == tag]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def running_s3_server() -> Iterator[S3Server]:
    """Start moto's server on a free loopback port; stop it (and everything it stored) afterwards."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "MOTO_ALLOW_NONEXISTENT_REGION": "true"},
    )
    server = S3Server(endpoint_url=f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"moto_server exited with status {process.returncode}")
            try:
                httpx.get(f"{server.endpoint_url}/moto-api/", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"moto_server did not listen on port {port}") from None
                time.sleep(0.1)  # polling a starting child process: nothing to wait on but its socket
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def obstore_s3(server: S3Server, bucket: str) -> S3Store:
    """An obstore client of ``bucket`` on ``server`` (plain HTTP on loopback, the test credentials)."""
    return S3Store(
        bucket,
        endpoint=server.endpoint_url,
        client_options={"allow_http": True},
        access_key_id=ACCESS_KEY,
        secret_access_key=SECRET_KEY,
        region=REGION,
    )
