"""Read the ``file`` part of a ``multipart/form-data`` body while it arrives.

Built on python-multipart's incremental parser: each body chunk is parsed
as it is received and the file's bytes are handed on at once, so a
multi-GB upload never sits in memory. Other form fields are skipped.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from vod_core.errors import InvalidParameter

FIELD = "file"
MAX_BOUNDARY = 70
"""RFC 2046 §5.1.1: a boundary is 1 to 70 characters (the parser itself fails on longer ones)."""


def multipart_boundary(content_type: str) -> bytes | None:
    """The boundary of a multipart/form-data content type; None for any other type."""
    kind, options = parse_options_header(content_type)
    if kind != b"multipart/form-data":
        return None
    boundary = options.get(b"boundary")
    if not boundary:
        raise InvalidParameter("file", "multipart body without a boundary")
    if len(boundary) > MAX_BOUNDARY:
        raise InvalidParameter("file", f"multipart boundary longer than {MAX_BOUNDARY} characters")
    return boundary


def _decode(raw: bytes) -> str:
    """Header text: browsers send UTF-8 file names raw, older clients Latin-1."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


class MultipartFile:
    """The first ``file`` part of a body given as an async iterator of chunks."""

    def __init__(self, body: AsyncIterator[bytes], boundary: bytes) -> None:
        self._body = body
        self._parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._on_part_begin,
                "on_header_field": self._on_header_field,
                "on_header_value": self._on_header_value,
                "on_header_end": self._on_header_end,
                "on_headers_finished": self._on_headers_finished,
                "on_part_data": self._on_part_data,
                "on_part_end": self._on_part_end,
                "on_end": self._on_end,
            },
        )
        self._field = bytearray()
        self._value = bytearray()
        self._headers: dict[str, bytes] = {}
        self._filename: str | None = None
        self._in_file = False
        self._file_done = False
        self._ended = False
        self._ready: list[bytes] = []

    # -- parser callbacks -------------------------------------------------------------

    def _on_part_begin(self) -> None:
        self._headers = {}

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _on_header_end(self) -> None:
        self._headers[self._field.decode("latin-1").lower()] = bytes(self._value)
        self._field.clear()
        self._value.clear()

    def _on_headers_finished(self) -> None:
        if self._filename is not None:
            return
        _, options = parse_options_header(self._headers.get("content-disposition", b""))
        if options.get(b"name") == FIELD.encode():
            self._filename = _decode(options.get(b"filename", b""))
            self._in_file = True

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._in_file:
            self._ready.append(bytes(data[start:end]))

    def _on_part_end(self) -> None:
        if self._in_file:
            self._in_file = False
            self._file_done = True

    def _on_end(self) -> None:
        self._ended = True

    # -- reading ----------------------------------------------------------------------

    async def _feed_next(self) -> bool:
        """Parse one more chunk of the body; False once the body is exhausted."""
        chunk = await anext(self._body, None)
        if chunk is None:
            return False
        try:
            self._parser.write(chunk)
        except FormParserError as exc:
            raise InvalidParameter("file", f"malformed multipart body: {exc}") from None
        return True

    async def filename(self) -> str:
        """Read until the file part begins; its file name ("" when the client sent none)."""
        while self._filename is None:
            if not await self._feed_next():
                raise InvalidParameter("file", "is required (a multipart field named 'file')")
        return self._filename

    async def chunks(self) -> AsyncIterator[bytes]:
        """The file's bytes as they are parsed; ends only once the whole body parsed cleanly.

        Checking the rest of the body before the last chunk is handed on
        means a truncated or malformed upload aborts the storage write
        instead of leaving a stored file behind an error response.
        """
        while not self._file_done:
            if not await self._feed_next():
                raise InvalidParameter("file", "the multipart body ended inside the file")
            if self._ready and not self._file_done:
                yield self._take()
        while await self._feed_next():
            pass
        if not self._ended:
            raise InvalidParameter("file", "the multipart body is incomplete")
        if self._ready:
            yield self._take()

    def _take(self) -> bytes:
        data = b"".join(self._ready)
        self._ready.clear()
        return data
