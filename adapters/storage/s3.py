"""Stored files in an S3-compatible object store (AWS S3, MinIO, Ceph RGW, R2), through obstore.

Why obstore rather than aiobotocore: it is Rust's ``object_store`` behind
an asyncio API, so the part that moves bytes (signing, multipart upload
with bounded concurrency, retries with backoff, streamed ranged GETs) runs
outside the GIL and outside the event loop, with typed errors and no
botocore session to manage. aiobotocore would leave multipart bookkeeping
(part numbers, ETags, abort on failure) and retries to us, in Python.

Object ``K`` lives at ``<prefix>objects/<K>``; other adapters keep their
own bytes beside it (``<prefix>tus/…`` for unfinished resumable uploads),
so listing for garbage collection looks only under ``objects/``. Keys are
ids (:mod:`adapters.storage.keys`); anything else is an object nobody has.

A write is one PUT when the body fits in one part, else a multipart
upload: S3 makes the object visible only on completion, so readers see the
old version or the new one, never a mix. A body that fails (too large, a
client gone, cancelled) aborts the multipart upload, so nothing is left
behind, not even invisible parts.

``local_path`` downloads into an :class:`~adapters.storage.cache.ObjectCache`;
``local_file`` is always ``None`` (servers stream :meth:`S3Storage.open_range`).
When the store cannot be reached, or refuses us, every method raises
:class:`~vod_core.errors.StorageUnavailable` (logged here with the store's
error); which contract code a client sees is the use case's choice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

import obstore
from obstore.exceptions import BaseError
from obstore.store import S3Store

from adapters.storage.cache import ObjectCache
from adapters.storage.keys import checked, is_key
from adapters.threads import in_thread
from vod_core.errors import NotFound, StorageUnavailable, UploadTooLarge
from vod_core.ports.storage import ObjectInfo, ObjectStorage

log = logging.getLogger(__name__)

PART_SIZE = 8 * 1024 * 1024
"""Bytes of one multipart part (S3's minimum is 5 MiB); a body up to this size is one plain PUT."""
PART_CONCURRENCY = 4
"""Parts uploaded at once: with :data:`PART_SIZE`, what one write holds in memory (~32 MiB)."""
READ_CHUNK = 2 * 1024 * 1024
"""Largest chunk :meth:`S3Storage.open_range` yields: what one download holds in memory."""
GATHER = 1536 * 1024
"""Bytes gathered from the store's stream before a chunk is yielded; the stream adds at most one network
read on top, so chunks rarely need splitting. Each chunk costs a hop from the client's thread to the event
loop and a send: with 256 KiB chunks a download through the service ran at 63-70% of the store's speed
(bench/storage.py), with these 85-87%, at 0.6 instead of 1.0 CPU-s per GB."""
DOWNLOAD_CHUNK = 4 * 1024 * 1024
"""Bytes gathered per file write when filling the cache."""
LIST_BATCH = 1000
"""Objects per listing page (S3's maximum)."""

CONNECT_TIMEOUT = "5s"
READ_TIMEOUT = "60s"
"""A stalled connection (no byte for this long) fails and is retried."""
REQUEST_TIMEOUT = "24h"
"""The whole of one request, body included: only a bound for the largest object at the slowest link."""
RETRIES = 3
RETRY_TIMEOUT = timedelta(seconds=15)
"""Requests failing to connect or with 5xx are retried this long, then the store counts as unavailable."""

OBJECTS = "objects/"


def open_s3_store(
    bucket: str,
    *,
    prefix: str = "",
    endpoint_url: str = "",
    region: str | None = None,
    access_key_id: str | None = None,
    secret_access_key: str | None = None,
    session_token: str | None = None,
) -> S3Store:
    """A client of ``bucket`` under ``prefix``; share it between the adapters of one process.

    Credentials and region not given come from the usual ``AWS_*``
    variables (``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
    ``AWS_SESSION_TOKEN``, ``AWS_REGION``) or the instance's role. An
    ``http://`` endpoint (MinIO on a private network, a test server) is
    allowed because it was named explicitly. Nothing is sent until first use.
    """
    settings: dict[str, str] = {}
    for name, value in (
        ("endpoint", endpoint_url),
        ("region", region),
        ("access_key_id", access_key_id),
        ("secret_access_key", secret_access_key),
        ("session_token", session_token),
    ):
        if value:
            settings[name] = value
    return S3Store(
        bucket,
        prefix=prefix.strip("/") or None,
        config=settings,  # type: ignore[arg-type]  # S3Config is a TypedDict of these optional names
        client_options={
            "allow_http": endpoint_url.startswith("http://"),
            "connect_timeout": CONNECT_TIMEOUT,
            "read_timeout": READ_TIMEOUT,
            "timeout": REQUEST_TIMEOUT,
        },
        retry_config={"max_retries": RETRIES, "retry_timeout": RETRY_TIMEOUT},
    )


def unavailable(where: str, error: BaseException) -> StorageUnavailable:
    """Log ``error`` (with its traceback) and return the StorageUnavailable to raise from it."""
    log.error("object store failure in %s", where, exc_info=error)
    return StorageUnavailable(f"object store failure in {where}: {type(error).__name__}")


class WriteAborted(Exception):
    """Raised into an upload's body to make the store abort it (its writer was cancelled)."""


class _Body:
    """The chunks of one write as the store pulls them: counted, capped at ``max_bytes``, abortable.

    ``first`` is what the writer read ahead (to tell a one-part body from
    a multipart one). :meth:`abort` fails the next pull, even one waiting
    for the writer's source, so that the store aborts the upload.
    """

    def __init__(self, first: bytes, rest: AsyncIterator[bytes], max_bytes: int | None, size: int) -> None:
        self._first: bytes | None = first
        self._rest = rest
        self._max_bytes = max_bytes
        self.size = size
        self._pull: asyncio.Future[bytes] | None = None
        self._aborted = False

    def __aiter__(self) -> _Body:
        return self

    async def __anext__(self) -> bytes:
        if self._aborted:
            raise WriteAborted
        if self._first is not None:
            first, self._first = self._first, None
            return first
        self._pull = asyncio.ensure_future(anext(self._rest))
        try:
            chunk = await self._pull
        except asyncio.CancelledError:
            if self._aborted:
                raise WriteAborted from None
            raise
        finally:
            self._pull = None
        self.size += len(chunk)
        _check_size(self.size, self._max_bytes)
        return chunk

    def abort(self) -> None:
        self._aborted = True
        if self._pull is not None:
            self._pull.cancel()


def _check_size(size: int, max_bytes: int | None) -> None:
    if max_bytes is not None and size > max_bytes:
        raise UploadTooLarge(max_bytes)


async def _read_ahead(chunks: AsyncIterator[bytes], limit: int, max_bytes: int | None) -> tuple[bytes, bool]:
    """Up to about ``limit`` bytes from the start of ``chunks``; and whether that was all of them."""
    head = bytearray()
    async for chunk in chunks:
        head += chunk
        _check_size(len(head), max_bytes)
        if len(head) >= limit:
            return bytes(head), False
    return bytes(head), True


class S3Storage(ObjectStorage):
    """``store`` from :func:`open_s3_store`; the cache of :meth:`local_path` under ``cache_dir``."""

    def __init__(self, store: S3Store, *, cache_dir: str, cache_bytes: int) -> None:
        self._store = store
        self.cache = ObjectCache(cache_dir, cache_bytes, self)

    @staticmethod
    def _path(key: str) -> str:
        return OBJECTS + checked(key)

    async def write(self, key: str, chunks: AsyncIterator[bytes], max_bytes: int | None = None) -> int:
        path = self._path(key)
        head, complete = await _read_ahead(chunks, PART_SIZE, max_bytes)
        if complete:
            try:
                await obstore.put_async(self._store, path, head, use_multipart=False)
            except BaseError as exc:
                raise unavailable("write", exc) from exc
            return len(head)
        body = _Body(head, chunks, max_bytes, size=len(head))
        upload = asyncio.ensure_future(
            obstore.put_async(
                self._store, path, body, use_multipart=True, chunk_size=PART_SIZE, max_concurrency=PART_CONCURRENCY
            )
        )
        try:
            # Shielded: cancelling the store's future would drop the upload without aborting it.
            await asyncio.shield(upload)
        except asyncio.CancelledError:
            body.abort()
            await asyncio.wait({upload})  # the store aborts the multipart upload before it fails
            if not upload.cancelled():
                upload.exception()  # WriteAborted, as intended: retrieved, so it is not reported as lost
            raise
        except BaseError as exc:
            raise unavailable("write", exc) from exc
        return body.size

    async def import_file(self, key: str, local_path: str) -> int:
        path = self._path(key)
        source = Path(local_path)
        size = (await in_thread(source.stat)).st_size
        try:
            await obstore.put_async(self._store, path, source, chunk_size=PART_SIZE, max_concurrency=PART_CONCURRENCY)
        except BaseError as exc:
            raise unavailable("import_file", exc) from exc
        return size

    async def local_path(self, key: str) -> str:
        return await self.cache.path(key)

    def local_file(self, key: str) -> str | None:
        return None  # the bytes are remote: servers stream them

    async def stat(self, key: str) -> ObjectInfo:
        path = self._path(key)
        try:
            meta = await obstore.head_async(self._store, path)
        except FileNotFoundError:
            raise NotFound(f"stored file {key} not found") from None
        except BaseError as exc:
            raise unavailable("stat", exc) from exc
        modified = meta["last_modified"].astimezone(UTC)
        etag = (meta["e_tag"] or "").strip('"') or f"{meta['size']:x}-{int(modified.timestamp()):x}"
        return ObjectInfo(size=meta["size"], etag=etag, last_modified=modified)

    async def open_range(self, key: str, start: int, length: int) -> AsyncGenerator[bytes, None]:
        if start < 0 or length < 0:
            raise ValueError(f"a range starts and lasts at least 0 bytes, not {start}+{length}")
        path = self._path(key)
        if length == 0:
            await self.stat(key)  # NotFound for a missing key, as for any other range
            return
        try:
            result = await obstore.get_async(self._store, path, options={"range": (start, start + length)})
        except FileNotFoundError:
            raise NotFound(f"stored file {key} not found") from None
        except BaseError as exc:
            # A range starting at or past the end is refused (416); the store's error does not say
            # so in a type, the object's size does.
            if start >= (await self.stat(key)).size:
                return
            raise unavailable("open_range", exc) from exc
        try:
            async for data in result.stream(min_chunk_size=GATHER):
                if len(data) <= READ_CHUNK:
                    yield data
                    continue
                view = memoryview(data)
                for offset in range(0, len(data), READ_CHUNK):
                    yield bytes(view[offset : offset + READ_CHUNK])
        except BaseError as exc:
            raise unavailable("open_range", exc) from exc

    async def delete(self, key: str) -> None:
        if not is_key(key):
            return
        self.cache.drop(key)
        try:
            await obstore.delete_async(self._store, self._path(key))
        except FileNotFoundError:
            pass
        except BaseError as exc:
            raise unavailable("delete", exc) from exc

    async def exists(self, key: str) -> bool:
        if not is_key(key):
            return False
        try:
            await self.stat(key)
        except NotFound:
            return False
        return True

    async def forget_deleted_copies(self) -> int:
        return await self.cache.forget_missing(self.exists)

    async def keys_older_than(self, moment: datetime) -> AsyncIterator[str]:
        try:
            async for batch in obstore.list(self._store, OBJECTS, chunk_size=LIST_BATCH):
                for meta in batch:
                    key = meta["path"].removeprefix(OBJECTS)
                    if is_key(key) and meta["last_modified"] < moment:
                        yield key
        except BaseError as exc:
            raise unavailable("keys_older_than", exc) from exc

    # The cache's origin (adapters.storage.cache.Origin).

    async def size(self, key: str) -> int:
        return (await self.stat(key)).size

    async def download(self, key: str, path: str) -> int:
        try:
            result = await obstore.get_async(self._store, self._path(key))
        except FileNotFoundError:
            raise NotFound(f"stored file {key} not found") from None
        except BaseError as exc:
            raise unavailable("download", exc) from exc
        handle: IO[bytes] = await in_thread(open, path, "wb")
        try:
            size = 0
            async for data in result.stream(min_chunk_size=DOWNLOAD_CHUNK):
                await in_thread(handle.write, data)
                size += len(data)
        except BaseError as exc:
            raise unavailable("download", exc) from exc
        finally:
            await asyncio.shield(in_thread(handle.close))
        return size

