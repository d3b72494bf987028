"""The request headers of the tus 1.0 protocol, parsed strictly: anything malformed is 3101 naming the header.

Kept apart from the routes so the input space can be tested on its own
(tests/http/test_tus_headers.py).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass

from sanic.exceptions import SanicException

from vod_core.errors import InvalidParameter

VERSION = "1.0.0"
EXTENSIONS = "creation,creation-with-upload,termination,expiration,checksum"
CHECKSUM_ALGORITHMS = "sha1"
CHUNK_TYPE = "application/offset+octet-stream"

MAX_DIGITS = 19
"""An offset or length has at most this many digits (a signed 64-bit integer's)."""

_NUMBER = re.compile(rf"[0-9]{{1,{MAX_DIGITS}}}")
_METADATA_KEY = re.compile(r"[!-+\--~]+")  # printable ASCII but space and comma (tus 1.0 "Upload-Metadata")
SHA1_SIZE = 20


class VersionNotSupported(SanicException):
    """412: the client speaks a tus version this server does not."""

    status_code = 412
    quiet = True


class NotAChunk(SanicException):
    """415: a PATCH body must be ``application/offset+octet-stream``."""

    status_code = 415
    quiet = True


def require_version(headers: Mapping[str, str]) -> None:
    version = headers.get("tus-resumable", "")
    if version != VERSION:
        raise VersionNotSupported(
            f"Tus-Resumable must be {VERSION}, not {version or 'missing'}", headers={"Tus-Version": VERSION}
        )


def number(headers: Mapping[str, str], name: str, *, required: bool = True) -> int | None:
    raw = headers.get(name.lower())
    if raw is None:
        if required:
            raise InvalidParameter(name, "is required")
        return None
    value = raw.strip()
    if not _NUMBER.fullmatch(value) or int(value) >= 2**63:
        raise InvalidParameter(name, "must be a non-negative integer")
    return int(value)


def metadata(raw: str) -> dict[str, str]:
    """``key base64,key2 base64`` → values decoded as UTF-8 text; a key alone has the value ``""``."""
    pairs: dict[str, str] = {}
    if not raw.strip():
        return pairs
    for item in raw.split(","):
        parts = item.strip().split(" ")
        if len(parts) > 2 or not _METADATA_KEY.fullmatch(parts[0]):
            raise InvalidParameter("Upload-Metadata", "must be comma-separated 'key base64-value' pairs")
        if parts[0] in pairs:
            raise InvalidParameter("Upload-Metadata", f"names {parts[0]!r} twice")
        try:
            value = base64.b64decode(parts[1], validate=True).decode("utf-8") if len(parts) == 2 else ""
        except (binascii.Error, UnicodeDecodeError):
            raise InvalidParameter("Upload-Metadata", f"value of {parts[0]!r} is not base64 of UTF-8 text") from None
        pairs[parts[0]] = value
    return pairs


def checksum(headers: Mapping[str, str]) -> bytes | None:
    """The SHA-1 digest ``Upload-Checksum: sha1 <base64>`` declares, or None without the header."""
    raw = headers.get("upload-checksum")
    if raw is None:
        return None
    algorithm, _, encoded = raw.strip().partition(" ")
    if algorithm.lower() != CHECKSUM_ALGORITHMS:
        raise InvalidParameter("Upload-Checksum", f"algorithm must be {CHECKSUM_ALGORITHMS}")
    try:
        digest = base64.b64decode(encoded.strip(), validate=True)
    except binascii.Error:
        digest = b""
    if len(digest) != SHA1_SIZE:
        raise InvalidParameter("Upload-Checksum", "must be 'sha1 <base64 of 20 bytes>'")
    return digest


@dataclass(frozen=True)
class Creation:
    upload_length: int
    filename: str
    metadata: str


def creation(headers: Mapping[str, str]) -> Creation:
    if "upload-defer-length" in headers:
        raise InvalidParameter("Upload-Defer-Length", "is not supported: send Upload-Length")
    length = number(headers, "Upload-Length")
    assert length is not None  # required
    raw = headers.get("upload-metadata", "")
    values = metadata(raw)
    return Creation(length, values.get("filename", ""), raw.strip())


def carries_chunk(headers: Mapping[str, str]) -> bool:
    """Whether the request body is a chunk (``Content-Type: application/offset+octet-stream``)."""
    return headers.get("content-type", "").split(";")[0].strip().lower() == CHUNK_TYPE


def require_chunk(headers: Mapping[str, str]) -> None:
    if not carries_chunk(headers):
        raise NotAChunk(f"Content-Type must be {CHUNK_TYPE}")
