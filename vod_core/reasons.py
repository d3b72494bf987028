"""Failure reasons shown to people (``failure_reason`` of videos and play sets): one short line.

Reasons are built from exception messages (a prober's, a transcoder's, a
download's), which may run long or span lines; what is stored and shown is
only their first line, bounded, so no trace or dump ever reaches a client.
"""

from __future__ import annotations

MAX_REASON_LENGTH = 200


def short_reason(text: str) -> str:
    """The first non-empty line of ``text``, at most :data:`MAX_REASON_LENGTH` characters."""
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    if len(line) <= MAX_REASON_LENGTH:
        return line
    return line[: MAX_REASON_LENGTH - 1].rstrip() + "…"
