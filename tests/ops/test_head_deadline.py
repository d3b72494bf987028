"""A client trickling header lines gets 408 at the head deadline, not after Sanic's idle timeout."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from entrypoints.config import Config, ConfigError
from tests.e2e.conftest import Server, start_server

pytestmark = pytest.mark.slow

HEAD_DEADLINE_S = 1
TRICKLE_S = 0.4
"""Lines go out 0.2 s either side of the deadline: a line sent just as the server closes would reset
the connection and discard its 408 before the client reads it."""
GIVE_UP_S = 8.0
"""Well past the deadline, well before Sanic's 60 s idle timeout: no answer by then is a failure."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(tmp_path_factory.mktemp("vod-data"), VOD_REQUEST_HEAD_TIMEOUT=str(HEAD_DEADLINE_S))
    yield running
    running.stop()


def trickle(base_url: str) -> tuple[bytes, float]:
    """Send a request line, then one header line every TRICKLE_S; returns what came back and when."""
    host, port = base_url.removeprefix("http://").split(":")
    started = time.monotonic()
    answer = b""
    with socket.create_connection((host, int(port)), timeout=5) as conn:
        conn.sendall(b"GET /health HTTP/1.1\r\nHost: vod\r\n")
        line = 0
        while time.monotonic() - started < GIVE_UP_S:
            conn.settimeout(TRICKLE_S)  # the pause between two lines, during which an answer may arrive
            try:
                chunk = conn.recv(65536)
            except TimeoutError:
                line += 1
                try:
                    conn.sendall(f"X-Slow-{line}: y\r\n".encode())
                except OSError:  # the server closed the connection
                    break
                continue
            if not chunk:
                break
            answer += chunk
    return answer, time.monotonic() - started


def test_a_trickled_head_is_cut_off_at_the_deadline(server: Server) -> None:
    answer, elapsed = trickle(server.base_url)
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
    assert elapsed < HEAD_DEADLINE_S + 3 * TRICKLE_S + 1


def test_a_prompt_client_is_served(server: Server) -> None:
    with server.client() as client:
        assert client.get("/health").status_code == 200


def test_the_deadline_is_a_setting() -> None:
    assert Config.from_env({}).request_head_timeout_s == 10
    assert Config.from_env({"VOD_REQUEST_HEAD_TIMEOUT": "3"}).request_head_timeout_s == 3
    for bad in ("0", "-1", "1.5", "soon"):
        with pytest.raises(ConfigError, match="VOD_REQUEST_HEAD_TIMEOUT"):
            Config.from_env({"VOD_REQUEST_HEAD_TIMEOUT": bad})
