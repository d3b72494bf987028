"""Unfinished resumable uploads in an S3-compatible object store (through ``obstore``), as segment objects.

Layout, under the key prefix: ``tus/<upload_id>/created`` (an empty marker
written by :meth:`create`: an upload without bytes still exists) and one
object per segment, ``tus/<upload_id>/<offset>``, the offset of its first
byte zero-padded to 20 digits (so keys sort by offset).

Why segments, not one multipart upload per tus upload: obstore streams a put
as a multipart upload it completes (or aborts) within one call, and exposes
no UploadPart that a later request could resume; S3 also wants parts of at
least 5 MiB except the last, which an arbitrary tus PATCH need not supply.
So each append streams the request's bytes into objects of its own, cutting
a new one every ``segment_bytes`` (64 MiB by default). An object becomes
visible only once complete, so what an upload holds is the sum of the sizes
of the segments that follow each other from offset 0.

What an interruption costs: when the request's body breaks off (client gone,
chunk refused) or the request is cancelled, the bytes that arrived are
written and the open segment is completed, so nothing is lost. When the
store fails or the process is killed, the open segment is lost: at most
``segment_bytes`` (or one batch, if larger), never a whole multi-GB request.
Each segment's put runs in a task of its own, so cancelling the request never
drops obstore's put mid-upload; a segment given up is made to fail, and
obstore aborts its multipart upload. Only a process killed outright leaves an
incomplete multipart upload behind: give the bucket a lifecycle rule that
aborts them after a day.

Memory per append: one batch of the request's bytes (``BATCH_BYTES``) being
gathered, one handed over, and obstore's parts in flight
(``part_bytes`` x (``max_concurrency`` + 1)); nothing is ever written to
local disk, so several ``vod serve`` processes share nothing but the store.
Completion streams the segments in order into any ``ObjectStorage``.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass

from obstore.exceptions import BaseError
from obstore.store import ObjectStore

from adapters.storage.keys import is_key
from adapters.storage.s3 import unavailable
from vod_core.errors import NotFound
from vod_core.ports.partial_uploads import PartialUploads
from vod_core.ports.storage import ObjectStorage

MIB = 1024 * 1024
SEGMENT_BYTES = 64 * MIB
"""Bytes per segment object: the most an interrupted append can lose."""
PART_BYTES = 8 * MIB
"""obstore's multipart part size within a segment (S3: at least 5 MiB, except the last part)."""
MAX_CONCURRENCY = 2
"""Parts of one segment uploaded at once: bounds obstore's buffers."""
BATCH_BYTES = MIB
"""Request bytes gathered before one hand-over to the segment's put (request chunks are ~64 KiB)."""
READ_BYTES = MIB
"""Chunk size of the streams read back (completion, shortening a segment)."""

MARKER = "created"
OFFSET_DIGITS = 20
_SEGMENT = re.compile(rf"^\d{{{OFFSET_DIGITS}}}$")


@dataclass(frozen=True)
class Segment:
    path: str
    start: int
    size: int

    @property
    def end(self) -> int:
        return self.start + self.size


@dataclass(frozen=True)
class Listing:
    """Every object of one upload: its marker (if any), the segments that hold its bytes, and the rest."""

    exists: bool
    chain: list[Segment]
    """The segments that follow each other from offset 0, in order."""
    strays: list[str]
    """Everything else: segments past a gap or overlapping the chain, temporary objects."""

    @property
    def length(self) -> int:
        return self.chain[-1].end if self.chain else 0


@contextlib.contextmanager
def _store_failures(operation: str) -> Iterator[None]:
    """The store's errors as the port's: StorageUnavailable (logged), or NotFound for bytes gone meanwhile.

    Anything else (the request body failing, a chunk refused) passes untouched.
    """
    try:
        yield
    except FileNotFoundError:
        raise NotFound("the upload's bytes are gone") from None
    except BaseError as exc:
        raise unavailable(f"resumable upload {operation}", exc) from exc


class S3PartialUploads(PartialUploads):
    def __init__(
        self,
        store: ObjectStore,
        prefix: str = "",
        *,
        segment_bytes: int = SEGMENT_BYTES,
        part_bytes: int = PART_BYTES,
        max_concurrency: int = MAX_CONCURRENCY,
    ) -> None:
        if segment_bytes < 1 or part_bytes < 1 or max_concurrency < 1:
            raise ValueError("segment_bytes, part_bytes and max_concurrency must be positive")
        self.store = store
        self.prefix = prefix if not prefix or prefix.endswith("/") else prefix + "/"
        self.segment_bytes = segment_bytes
        self.part_bytes = part_bytes
        self.max_concurrency = max_concurrency

    def folder(self, upload_id: str) -> str:
        if not is_key(upload_id):
            raise NotFound(f"upload {upload_id!r} not found")
        return f"{self.prefix}tus/{upload_id}/"

    def segment_path(self, upload_id: str, start: int) -> str:
        return f"{self.folder(upload_id)}{start:0{OFFSET_DIGITS}d}"

    async def create(self, upload_id: str) -> None:
        with _store_failures("create"):
            await self.store.put_async(self.folder(upload_id) + MARKER, b"")

    async def append(self, upload_id: str, offset: int, chunks: AsyncIterator[bytes]) -> int:
        with _store_failures("append"):
            return await self._append(upload_id, offset, chunks)

    async def _append(self, upload_id: str, offset: int, chunks: AsyncIterator[bytes]) -> int:
        held = await self._cut(upload_id, offset)
        if held < offset:
            raise NotFound(f"the upload's bytes are gone: it holds {held}, not the {offset} committed")
        segments = _SegmentWriter(self, upload_id, offset)
        try:
            async for chunk in chunks:
                await segments.add(chunk)
            await segments.close()
        except BaseException:
            # The body broke off (client gone, chunk refused) or the request was cancelled (Sanic cancels
            # a handler whose connection is lost): what arrived is kept, unless the store itself failed.
            await asyncio.shield(segments.settle())
            raise
        return segments.written

    async def stored_length(self, upload_id: str) -> int:
        with _store_failures("stored_length"):
            return (await self._existing(upload_id)).length

    async def truncate(self, upload_id: str, length: int) -> None:
        with _store_failures("truncate"):
            await self._cut(upload_id, length)

    async def complete(self, upload_id: str, storage: ObjectStorage, key: str) -> int:
        with _store_failures("complete"):
            return await self._complete(upload_id, storage, key)

    async def _complete(self, upload_id: str, storage: ObjectStorage, key: str) -> int:
        if await storage.exists(key):  # moved before a crash: only the leftovers go
            size = (await storage.stat(key)).size
            await self.remove(upload_id)
            return size
        listing = await self._existing(upload_id)
        size = await storage.write(key, self._read(listing.chain))
        await self.remove(upload_id)
        return size

    async def remove(self, upload_id: str) -> None:
        with _store_failures("remove"):
            await self._remove(upload_id)

    async def _remove(self, upload_id: str) -> None:
        try:
            listing = await self._list(upload_id)
        except NotFound:
            return
        await self._delete([segment.path for segment in listing.chain] + listing.strays)
        if listing.exists:  # last: until it goes, the upload exists and a later remove finishes the job
            await self.store.delete_async(self.folder(upload_id) + MARKER)

    async def _list(self, upload_id: str) -> Listing:
        folder = self.folder(upload_id)
        exists = False
        segments: list[Segment] = []
        others: list[str] = []
        async for page in self.store.list(folder):
            for meta in page:
                name = meta["path"][len(folder) :]
                if name == MARKER:
                    exists = True
                elif _SEGMENT.match(name):
                    segments.append(Segment(meta["path"], int(name), meta["size"]))
                else:
                    others.append(meta["path"])
        chain: list[Segment] = []
        end = 0
        for segment in sorted(segments, key=lambda s: s.start):
            if segment.start == end and segment.size > 0:
                chain.append(segment)
                end = segment.end
            else:
                others.append(segment.path)
        return Listing(exists, chain, others)

    async def _existing(self, upload_id: str) -> Listing:
        listing = await self._list(upload_id)
        if not listing.exists:
            raise NotFound("the upload's bytes are gone")
        return listing

    async def _cut(self, upload_id: str, length: int) -> int:
        """Drop every byte past ``length`` and every stray object; returns how many bytes the upload then holds."""
        listing = await self._existing(upload_id)
        await self._delete([s.path for s in listing.chain if s.start >= length] + listing.strays)
        across = [s for s in listing.chain if s.start < length < s.end]
        if across:
            await self._shorten(across[0], length - across[0].start)
        return min(length, listing.length)

    async def _shorten(self, segment: Segment, keep: int) -> None:
        """Keep the first ``keep`` bytes of ``segment``: copied aside, then over it (never read while overwritten)."""
        aside = segment.path + ".cut"
        result = await self.store.get_async(segment.path, options={"range": (0, keep)})
        await self.store.put_async(
            aside,
            (bytes(buffer) async for buffer in result.stream(READ_BYTES)),
            chunk_size=self.part_bytes,
            max_concurrency=self.max_concurrency,
        )
        await self.store.copy_async(aside, segment.path)
        await self.store.delete_async(aside)

    async def _read(self, chain: Sequence[Segment]) -> AsyncIterator[bytes]:
        for segment in chain:
            result = await self.store.get_async(segment.path)
            received = 0
            async for buffer in result.stream(READ_BYTES):
                received += len(buffer)
                yield bytes(buffer)
            if received != segment.size:
                raise RuntimeError(f"segment {segment.path} changed while read: {received} of {segment.size} bytes")

    async def _delete(self, paths: list[str]) -> None:
        if paths:
            await self.store.delete_async(paths)


class _SegmentWriter:
    """The bytes of one append, gathered into batches and cut into segment objects from ``offset`` on."""

    def __init__(self, owner: S3PartialUploads, upload_id: str, offset: int) -> None:
        self.owner = owner
        self.upload_id = upload_id
        self.offset = offset
        self.written = 0
        """Bytes in complete segments."""
        self._batch = bytearray()
        self._segment: _SegmentPut | None = None

    async def add(self, chunk: bytes) -> None:
        self._batch += chunk
        if len(self._batch) >= BATCH_BYTES:
            await self._drain()

    async def close(self) -> None:
        """Write what is gathered and complete the open segment."""
        await self._drain()
        if self._segment is not None:
            self.written += await self._segment.finish()
            self._segment = None

    async def settle(self) -> None:
        """After an interruption: keep what arrived, or (the store failing) abort the open segment."""
        try:
            await self.close()
        except Exception:
            if self._segment is not None:
                await self._segment.abort()
                self._segment = None

    async def _drain(self) -> None:
        while self._batch:
            if self._segment is None:
                path = self.owner.segment_path(self.upload_id, self.offset + self.written)
                self._segment = _SegmentPut(self.owner, path)
            take = min(len(self._batch), self._segment.room)
            await self._segment.send(bytes(self._batch[:take]))
            del self._batch[:take]
            if not self._segment.room:
                self.written += await self._segment.finish()
                self._segment = None


class _SegmentPut:
    """One segment object being written: obstore's streamed put in a task of its own, fed one batch at a time.

    Its own task, so that cancelling the request's task never drops obstore's
    future mid-upload (that would leave an incomplete multipart upload
    behind): :meth:`abort` makes the put's input fail instead, and obstore
    aborts the multipart upload before the put ends.
    """

    def __init__(self, owner: S3PartialUploads, path: str) -> None:
        self.size = 0
        self.capacity = owner.segment_bytes
        self._queue: asyncio.Queue[bytes | BaseException | None] = asyncio.Queue(maxsize=1)
        self._task = asyncio.create_task(
            owner.store.put_async(
                path, self._body(), chunk_size=owner.part_bytes, max_concurrency=owner.max_concurrency
            )
        )
        self._task.add_done_callback(self._unblock)

    async def _body(self) -> AsyncIterator[bytes]:
        while True:
            item = await self._queue.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def _unblock(self, _: object) -> None:
        """The put ended (failed, if early): free the queue so a hand-over waiting on it returns and sees that."""
        while not self._queue.empty():
            self._queue.get_nowait()

    @property
    def room(self) -> int:
        return self.capacity - self.size

    async def send(self, data: bytes) -> None:
        await self._hand_over(data)
        self.size += len(data)

    async def finish(self) -> int:
        """End the segment's input and wait until the object is complete (durable); returns its size."""
        await self._hand_over(None)
        await self._task
        return self.size

    async def abort(self) -> None:
        """Make the put fail, so obstore aborts its multipart upload, and wait until it has."""
        with contextlib.suppress(Exception):
            await self._hand_over(_Aborted("the append was interrupted"))
        with contextlib.suppress(Exception):
            await self._task

    async def _hand_over(self, item: bytes | BaseException | None) -> None:
        """Queue ``item`` for the put; raises the put's error if it ended early.

        ``Queue.put`` either queues the item or raises (cancelled), never
        both: a cancelled hand-over leaves the batch with the caller.
        """
        if self._task.done():
            self._task.result()  # the put's error
            raise RuntimeError("the segment's put ended before its input")
        await self._queue.put(item)


class _Aborted(Exception):
    """Fed to a segment's put to make it fail (and abort its multipart upload)."""
