"""A tus 1.0.0 client (core, creation, checksum) for ``/storage/api/tus`` (API.md C3), resuming across runs.

A small loop over the ``VodClient``'s httpx connection rather than ``tuspy``: tuspy brings a second
HTTP stack (requests) with its own authentication, timeouts and errors, and remembers uploads by a
fingerprint of the file's content in its own store; here the three requests of the protocol (POST,
HEAD, PATCH) share the API client's auth and error reporting, and uploads are remembered by
``UploadMemory`` (path, size, mtime), which costs no read of a multi-GB file to look up.

Within one run a dropped connection, a 409 (offset moved) or a 460 (checksum mismatch) is retried
from the server's offset a few times; across runs the remembered upload URL and a HEAD pick up
where the last run stopped.
"""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from entrypoints.client.api import ApiError, ClientError, Unreachable, VodClient, checked
from entrypoints.client.upload_memory import FileKey, UploadMemory

TUS_PATH = "/storage/api/tus"
TUS_VERSION = "1.0.0"
DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024
ATTEMPTS = 4
"""Tries of one chunk before the upload gives up (the next run resumes it)."""
RETRY_PAUSE_S = 1.0
"""Pause before the first retry, doubled for each further one: a dropped network gets time to come back."""
GONE = (404, 410)
"""HEAD answers for an upload the server no longer has (expired, terminated): start a new one."""

Progress = Callable[[int, int], None]
"""Called with (bytes the server has, file size) after each acknowledged chunk."""


@dataclass(frozen=True)
class Uploaded:
    storage_id: str
    size: int
    resumed_from: int
    """Bytes the server already had when this run started (0 for a new upload)."""
    key: FileKey


class TusUploader:
    def __init__(self, client: VodClient, memory: UploadMemory, *, chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> None:
        if chunk_bytes < 1:
            raise ValueError("chunk_bytes must be positive")
        self.client = client
        self.memory = memory
        self.chunk_bytes = chunk_bytes

    def upload(self, path: Path, on_progress: Progress = lambda _done, _total: None) -> Uploaded:
        """Send ``path`` (resuming a remembered upload); its URL stays remembered until ``finished``."""
        key = FileKey.of(self.client.api_url, path)
        url = self.memory.recall(key)
        offset = self._offset(url) if url else None
        if url is None or offset is None:
            url = self._create(path.name, key.size)
            self.memory.remember(key, url)
            offset = 0
        resumed_from = offset
        on_progress(offset, key.size)
        while offset < key.size:
            offset = self._send_chunk(url, path, offset)
            on_progress(offset, key.size)
        return Uploaded(url.rsplit("/", 1)[-1], key.size, resumed_from, key)

    def finished(self, uploaded: Uploaded) -> None:
        """Forget the upload URL once a video uses the file (a rerun then starts a new upload)."""
        self.memory.forget(uploaded.key)

    def _create(self, filename: str, size: int) -> str:
        metadata = "filename " + base64.b64encode(filename.encode()).decode()
        headers = {"Tus-Resumable": TUS_VERSION, "Upload-Length": str(size), "Upload-Metadata": metadata}
        response = self.client.request("POST", TUS_PATH, headers=headers)
        if response.status_code != 201 or "Location" not in response.headers:
            raise _refused(response)
        return str(response.url.join(response.headers["Location"]))

    def _offset(self, url: str) -> int | None:
        """The server's offset of ``url``, or None when it has no such upload any more."""
        response = self.client.request("HEAD", url, headers={"Tus-Resumable": TUS_VERSION})
        if response.status_code in GONE:
            return None
        if response.status_code != 200:
            raise _refused(response)
        return _offset_header(response)

    def _send_chunk(self, url: str, path: Path, offset: int) -> int:
        """PATCH the chunk at ``offset``; the server's new offset. Retries from the server's offset."""
        for attempt in range(ATTEMPTS):
            if attempt:
                time.sleep(RETRY_PAUSE_S * 2 ** (attempt - 1))
                known = self._offset(url)
                if known is None:
                    raise ClientError(f"the server no longer has the upload {url} (expired?); run again to restart")
                if known != offset:
                    return known
            with path.open("rb") as source:
                source.seek(offset)
                chunk = source.read(self.chunk_bytes)
            try:
                response = self.client.request("PATCH", url, content=chunk, headers=_patch_headers(offset, chunk))
            except Unreachable:
                if attempt == ATTEMPTS - 1:
                    raise
                continue
            if response.status_code == 204:
                return _offset_header(response)
            if response.status_code not in (409, 460) or attempt == ATTEMPTS - 1:
                raise _refused(response)
        raise AssertionError("unreachable: the last attempt returns or raises")


def _patch_headers(offset: int, chunk: bytes) -> dict[str, str]:
    digest = base64.b64encode(hashlib.sha1(chunk).digest()).decode()
    return {
        "Tus-Resumable": TUS_VERSION,
        "Content-Type": "application/offset+octet-stream",
        "Upload-Offset": str(offset),
        "Upload-Checksum": f"sha1 {digest}",
    }


def _offset_header(response: httpx.Response) -> int:
    raw = response.headers.get("Upload-Offset", "")
    if not raw.isdigit():
        raise ApiError(0, f"the server's answer has no valid Upload-Offset ({response.url})", response.status_code)
    return int(raw)


def _refused(response: httpx.Response) -> ApiError:
    """The server's error: its JSON ``msg`` when it sent one, else the HTTP status."""
    try:
        checked(response)
    except ApiError as error:
        return error
    return ApiError(0, f"unexpected HTTP {response.status_code} from {response.url}", response.status_code)
