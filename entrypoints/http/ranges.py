"""The HTTP ``Range`` header (RFC 9110 §14), single byte ranges only.

A header we do not support (another unit, several ranges) or cannot parse
is ignored and the whole file is sent, as the RFC allows; only a
well-formed range that starts beyond the end is unsatisfiable (416).
"""

from __future__ import annotations

from dataclasses import dataclass


class Unsatisfiable(Exception):
    """A well-formed range that selects no byte of the file."""


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive, as in Content-Range

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.end}/{size}"


def _is_number(text: str) -> bool:
    """ASCII digits only: ``str.isdigit`` also accepts ``²``, ``①`` and ``١``, which ``int`` refuses or reads."""
    return text.isascii() and text.isdigit()


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The range to send, or None for the whole file."""
    if not header:
        return None
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = (part.strip() for part in spec.partition("-"))
    if not dash:
        return None
    if not first:
        if not _is_number(last):
            return None
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise Unsatisfiable()
        return ByteRange(max(0, size - suffix), size - 1)
    if not _is_number(first) or (last and not _is_number(last)):
        return None
    start = int(first)
    if last and int(last) < start:
        return None
    if start >= size:
        raise Unsatisfiable()
    return ByteRange(start, min(int(last), size - 1) if last else size - 1)
