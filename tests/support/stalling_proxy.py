"""A TCP proxy on loopback that counts what clients send and can stall them mid-request, like a dropped network.

``stall_after(n)``: once clients have sent ``n`` bytes in all, the proxy stops reading from them
(the request hangs half-sent, as over a dead link) and ``stalled`` is set; ``cut()`` then closes
every stalled connection, so the server sees the request break off. ``sent`` counts bytes
forwarded to the server since the last ``reset()``.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

BUFFER = 65536


class StallingProxy:
    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self.upstream_port = 0
        self.sent = 0
        self.limit: int | None = None
        self.stalled = threading.Event()
        self._cut = threading.Event()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stall_after(self, limit: int) -> None:
        with self._lock:
            self.sent, self.limit = 0, limit
            self.stalled.clear()
            self._cut.clear()

    def reset(self) -> None:
        """Forward everything from now on and count from zero."""
        with self._lock:
            self.sent, self.limit = 0, None
            self.stalled.clear()
            self._cut.clear()

    def cut(self) -> None:
        self._cut.set()

    def serve(self) -> None:
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self.listener.close()
        self._cut.set()
        for sock in list(self._sockets):
            with suppress(OSError):
                sock.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:  # closed
                return
            server = socket.create_connection(("127.0.0.1", self.upstream_port))
            self._sockets += [client, server]
            threading.Thread(target=self._upstream, args=(client, server), daemon=True).start()
            threading.Thread(target=self._downstream, args=(server, client), daemon=True).start()

    def _upstream(self, client: socket.socket, server: socket.socket) -> None:
        with _closing(client, server):
            while data := client.recv(BUFFER):
                with self._lock:
                    allowed = len(data) if self.limit is None else max(0, min(len(data), self.limit - self.sent))
                    self.sent += allowed
                server.sendall(data[:allowed])
                if allowed < len(data):
                    self.stalled.set()
                    self._cut.wait()
                    return

    @staticmethod
    def _downstream(server: socket.socket, client: socket.socket) -> None:
        with _closing(server, client):
            while data := server.recv(BUFFER):
                client.sendall(data)


@contextmanager
def _closing(*sockets: socket.socket) -> Iterator[None]:
    try:
        yield
    except OSError:
        pass
    finally:
        for sock in sockets:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
