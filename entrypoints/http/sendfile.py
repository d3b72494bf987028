"""The body of a file download: straight from the file with sendfile(2) when it is local, else streamed.

Bytes count as the video's traffic once handed to the connection (the
kernel's socket buffer for sendfile, the transport for a stream) and are
charged when the response ends for whatever reason, so a viewer who stops
half-way is charged for what was sent, not for the whole file.

The fast path hands the kernel the file and the socket and lets it copy,
as nginx does with ``sendfile on``: no byte passes through Python. It needs
a plain HTTP/1 connection on a socket (Sanic's ``Http`` stream, no TLS) and
a storage that keeps the bytes in a local file (``Download.local_file``).
Otherwise (ASGI, memory or remote storage) the bytes are streamed from
``vod.downloads.read`` in bounded chunks.

How the fast path keeps Sanic's HTTP/1 state consistent (keep-alive goes
on after it): Sanic formats the response head (the ``Content-Length`` makes
it expect exactly that many body bytes) and hands it here instead of to
its transport; once the transport has nothing left to write, the head and
then the body go to the socket (``send`` and ``os.sendfile``); then
Sanic's count of body bytes still due is lowered by what was sent and the
response is ended through Sanic, which moves the connection to its next
request — or, if the file was shorter than announced, fails the response
and closes the connection, as a short stream does. ``uvloop`` (what
``vod serve`` runs on) has no ``loop.sendfile``, so waiting until the
socket can take more is done here, on a duplicate of the socket's
descriptor (the transport owns the original in the event loop's poller).
The head is written here too, as Sanic formats it, with ``MSG_MORE`` so
that it leaves with the first body bytes; large bodies are also corked.
Reads of a file that is not in the page cache block the event loop while
the kernel reads it, as they do in nginx without ``aio``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any, cast

from sanic import Request
from sanic.exceptions import RequestCancelled
from sanic.http import Http
from sanic.response import HTTPResponse

from entrypoints.http.resources import resources
from vod_core.services.downloads import Download

CORKED_FROM = 8 * 1024 * 1024
"""Bodies of this many bytes or more are sent under ``TCP_CORK``, smaller ones not.

A large body takes many ``sendfile`` calls (one per socket buffer's
worth), and each one would end by pushing out a partial segment; corked,
only full segments leave until the end. For a 1 MiB range the two
``setsockopt`` calls cost more than they save: ``bench/serve.py``, under
load, measured 15% less CPU per GB served on 1 MiB ranges without the cork
and lower throughput on whole 30 MiB files."""
MSG_MORE = getattr(socket, "MSG_MORE", 0)
"""Linux's "more data follows" flag; elsewhere 0, and the head leaves alone."""


@dataclass
class _Meter:
    sent: int = 0


async def send_body(request: Request, response: HTTPResponse, download: Download, start: int, length: int) -> int:
    """Send bytes ``[start, start + length)`` of ``download`` as the body of ``response`` and end it.

    ``response`` comes from ``request.respond`` with a ``Content-Length`` of
    ``length`` and nothing sent yet. Returns the bytes sent; they are
    charged to the video even when sending fails or is cancelled.
    """
    res = resources(request)
    meter = _Meter()
    try:
        if not await _send_file(request, response, download, start, length, meter):
            await _stream(request, response, download, start, length, meter)
    finally:
        if download.video_id and meter.sent:
            res.traffic.submit(res.vod.traffic.served(download.video_id, meter.sent))
    return meter.sent


async def _send_file(
    request: Request, response: HTTPResponse, download: Download, start: int, length: int, meter: _Meter
) -> bool:
    """The body by sendfile(2); ``False``, with no body byte sent, when it must be streamed instead."""
    sock = _plain_socket(request, response, length)
    file_fd = _open(download.local_file) if sock is not None else None
    if sock is None or file_fd is None:
        return False
    stream = cast(Http, request.stream)  # _plain_socket made sure
    corked = length >= CORKED_FROM and _cork(sock, True)
    try:
        head = await _formatted_head(stream, response)
        if getattr(stream, "response_bytes_left", None) != length:
            await stream._send(head)  # not the Sanic this was written for: its count of body bytes due is unknown
            return False
        with contextlib.closing(_Writable(sock.fileno())) as writable:
            await _send_head(request, sock, head, writable)
            await _copy(request, sock.fileno(), file_fd, start, length, meter, writable)
        stream.response_bytes_left -= meter.sent
        await response.send(end_stream=True)  # fails, closing the connection, if the file was short
        return True
    finally:
        os.close(file_fd)
        if corked and not request.transport.is_closing():  # a closed transport's descriptor may be reused
            _cork(sock, False)


async def _formatted_head(stream: Http, response: HTTPResponse) -> bytes:
    """The response head exactly as Sanic writes it, handed back instead of written; Sanic's state moves past it."""
    parts: list[bytes] = []

    async def keep(data: bytes) -> None:
        parts.append(data)

    write = stream._send
    stream._send = keep
    try:
        await response.send(b"", end_stream=False)
    finally:
        stream._send = write
    return b"".join(parts)


async def _send_head(request: Request, sock: Any, head: bytes, writable: _Writable) -> None:
    """Write the head with ``MSG_MORE``: the kernel holds it back until the body's first bytes join it.

    This is nginx's ``tcp_nopush``: a head sent alone is one more packet,
    and one more wake-up of the client, per response (a large part of the
    cost of a 1 MiB range). ``MSG_MORE`` does it within this one call,
    where ``TCP_CORK`` takes two more system calls per response (large
    bodies still get it: :data:`CORKED_FROM`). The body's last ``sendfile``
    pushes everything out.
    """
    transport = cast(asyncio.WriteTransport, request.transport)
    while transport.get_write_buffer_size():
        await writable.wait()  # what Sanic wrote before (an earlier response) goes first
    if transport.is_closing():
        raise RequestCancelled()
    # A socket object over the transport's own descriptor (uvloop hands out one without send()), not a
    # duplicate: family, type and protocol are given, so making it costs no system call; it is detached
    # (never closed) afterwards. The descriptor is non-blocking: a full buffer raises, and is waited for.
    writer = socket.socket(sock.family, sock.type, sock.proto, fileno=sock.fileno())
    try:
        view = memoryview(head)
        while view:
            try:
                view = view[writer.send(view, MSG_MORE) :]
            except BlockingIOError:
                await writable.wait()
            except (BrokenPipeError, ConnectionResetError):
                raise RequestCancelled() from None
    finally:
        writer.detach()


def _plain_socket(request: Request, response: HTTPResponse, length: int) -> Any:
    """The connection's socket when the body may bypass Sanic (HTTP/1 on a plain socket, length announced), or None."""
    transport = request.transport
    if not isinstance(request.stream, Http):
        return None  # ASGI or HTTP/3: only the server's own stream knows the connection
    if response.headers.get("content-length") != str(length):
        return None  # the body must be framed by Content-Length, not chunked
    if transport.get_extra_info("sslcontext") is not None:
        return None  # sendfile would bypass the encryption
    sock = transport.get_extra_info("socket")
    if sock is None or sock.fileno() < 0:
        return None
    return sock


def _cork(sock: Any, on: bool) -> bool:
    """Send only full segments while on (``TCP_CORK``); off, what is left goes out at once."""
    if not hasattr(socket, "TCP_CORK") or sock.family not in (socket.AF_INET, socket.AF_INET6):
        return False
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, int(on))
    except OSError:
        return False
    return True


def _open(path: str | None) -> int | None:
    """A descriptor of the file at ``path``; ``None`` when there is none (the stream path then reports it)."""
    if path is None:
        return None
    try:
        return os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return None  # deleted since it was looked up: the storage says NotFound before any header is sent


async def _copy(
    request: Request, socket_fd: int, file_fd: int, start: int, length: int, meter: _Meter, writable: _Writable
) -> None:
    """File bytes to the socket until ``length`` are sent or the file ends."""
    protocol: Any = request.protocol
    offset, left = start, length
    while left:
        try:
            sent = os.sendfile(socket_fd, file_fd, offset, left)
        except BlockingIOError:
            await writable.wait()
            continue
        except (BrokenPipeError, ConnectionResetError):
            raise RequestCancelled() from None
        if sent == 0:
            return  # the file ends before the announced length
        meter.sent += sent
        offset += sent
        left -= sent
        # Raises when the connection is closing and restarts Sanic's response timeout, as a streamed chunk does.
        await protocol.send(b"")


async def _stream(
    request: Request, response: HTTPResponse, download: Download, start: int, length: int, meter: _Meter
) -> None:
    async with aclosing(resources(request).vod.downloads.read(download, start, length)) as chunks:
        async for chunk in chunks:
            await response.send(chunk)
            meter.sent += len(chunk)
    await response.send(end_stream=True)


class _Writable:
    """Waits until a socket the event loop's transport owns can take more bytes.

    The loop refuses a second watcher on the transport's descriptor, so a
    duplicate (made on first use) is watched instead: both refer to the
    same socket.
    """

    def __init__(self, socket_fd: int) -> None:
        self._socket_fd = socket_fd
        self._fd: int | None = None

    async def wait(self) -> None:
        if self._fd is None:
            self._fd = os.dup(self._socket_fd)
        loop = asyncio.get_running_loop()
        ready = loop.create_future()
        loop.add_writer(self._fd, _settle, ready)
        try:
            await ready
        finally:
            loop.remove_writer(self._fd)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
