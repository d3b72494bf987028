"""The S3 partial-upload store's own promises, against moto's real S3 server (tests/support/s3.py).

The contract every byte store keeps is in test_resumable_uploads.py; here:
the segment layout, what interruptions keep, that no multipart upload is
left open, that completion and removal leave nothing under ``tus/``, and a
comparison with the memory store over random appends and truncations.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
import tracemalloc
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from obstore.store import S3Store

from adapters.memory.storage import MemoryStorage
from adapters.partial_uploads import MemoryPartialUploads
from adapters.partial_uploads.s3 import S3PartialUploads
from adapters.storage import LocalStorage
from adapters.storage.s3 import open_s3_store
from tests.support.s3 import ACCESS_KEY, REGION, SECRET_KEY, S3Server, obstore_s3
from vod_core.errors import NotFound, StorageUnavailable

KIB = 1024
MIB = 1024 * KIB
SEGMENT = 64 * KIB
PREFIX = "vod/"
UPLOAD = "up1"
FOLDER = f"{PREFIX}tus/{UPLOAD}/"


@pytest.fixture
def store(s3_server: S3Server, s3_bucket: str) -> S3Store:
    return obstore_s3(s3_server, s3_bucket)


@pytest.fixture
def partials(store: S3Store) -> S3PartialUploads:
    return S3PartialUploads(store, prefix="vod", segment_bytes=SEGMENT)


def data(size: int, seed: int = 1) -> bytes:
    return random.Random(seed).randbytes(size)


async def pieces(payload: bytes, size: int) -> AsyncIterator[bytes]:
    for start in range(0, len(payload), size):
        yield payload[start : start + size]


def segment_key(offset: int) -> str:
    return f"{FOLDER}{offset:020d}"


def tus_keys(server: S3Server, bucket: str) -> list[str]:
    return sorted(key for key in server.keys(bucket) if key.startswith(f"{PREFIX}tus/"))


async def read_all(storage: MemoryStorage | LocalStorage, key: str) -> bytes:
    return b"".join([part async for part in storage.open_range(key, 0, 1 << 40)])


async def test_a_body_that_breaks_off_keeps_every_byte_in_whole_segments(
    partials: S3PartialUploads, s3_server: S3Server, s3_bucket: str
) -> None:
    payload = data(10 * SEGMENT + 1234)

    async def breaking() -> AsyncIterator[bytes]:
        async for piece in pieces(payload, 5000):
            yield piece
        raise ConnectionResetError("client went away")

    await partials.create(UPLOAD)
    with pytest.raises(ConnectionResetError):
        await partials.append(UPLOAD, 0, breaking())
    assert await partials.stored_length(UPLOAD) == len(payload)
    assert tus_keys(s3_server, s3_bucket) == sorted(
        [f"{FOLDER}created", *(segment_key(n * SEGMENT) for n in range(11))]
    )
    assert s3_server.multipart_uploads(s3_bucket) == []
    storage = MemoryStorage()
    assert await partials.complete(UPLOAD, storage, UPLOAD) == len(payload)
    assert await read_all(storage, UPLOAD) == payload


async def wait_for_multipart_upload(server: S3Server, bucket: str) -> None:
    """Until obstore has started the open segment's multipart upload (it uploads parts in the background)."""
    deadline = time.monotonic() + 30
    while not await asyncio.to_thread(server.multipart_uploads, bucket):
        assert time.monotonic() < deadline, "no multipart upload was started"
        await asyncio.sleep(0.05)  # polling the server's state: nothing to await on but its answers


async def test_a_cancelled_append_keeps_what_arrived_and_leaves_no_multipart_upload(
    store: S3Store, s3_server: S3Server, s3_bucket: str
) -> None:
    # 8 MiB segments in 5 MiB parts: after 22 MiB the third segment holds 6 MiB, one part of it uploaded.
    partials = S3PartialUploads(store, prefix=PREFIX, segment_bytes=8 * MIB, part_bytes=5 * MIB)
    payload = data(22 * MIB)
    stalled = asyncio.Event()

    async def stalling() -> AsyncIterator[bytes]:
        async for piece in pieces(payload, MIB):
            yield piece
        stalled.set()
        await asyncio.Event().wait()  # the client stops sending; the server cancels the request
        yield b"never"

    await partials.create(UPLOAD)
    appending = asyncio.create_task(partials.append(UPLOAD, 0, stalling()))
    await stalled.wait()
    await wait_for_multipart_upload(s3_server, s3_bucket)
    appending.cancel()
    with pytest.raises(asyncio.CancelledError):
        await appending
    assert s3_server.multipart_uploads(s3_bucket) == []
    assert await partials.stored_length(UPLOAD) == len(payload)
    assert tus_keys(s3_server, s3_bucket) == [
        segment_key(0),
        segment_key(8 * MIB),
        segment_key(16 * MIB),
        f"{FOLDER}created",
    ]


async def test_an_append_holds_a_bounded_share_of_its_bytes_in_memory(store: S3Store) -> None:
    # 64 MiB in 64 KiB request chunks, 16 MiB segments in 8 MiB parts: Python memory peaks at the batch
    # being gathered, the one handed over and obstore's parts in flight (~18 MiB), whatever the size.
    partials = S3PartialUploads(store, prefix=PREFIX, segment_bytes=16 * MIB, part_bytes=8 * MIB)
    chunk = data(64 * KIB)

    async def request() -> AsyncIterator[bytes]:
        for _ in range(1024):
            yield bytes(chunk)

    await partials.create(UPLOAD)
    tracemalloc.start()
    try:
        assert await partials.append(UPLOAD, 0, request()) == 64 * MIB
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 24 * MIB


async def test_completion_moves_the_bytes_and_leaves_nothing_under_tus(
    partials: S3PartialUploads, s3_server: S3Server, s3_bucket: str, tmp_path: Path
) -> None:
    payload = data(5 * SEGMENT + 17)
    await partials.create(UPLOAD)
    assert await partials.append(UPLOAD, 0, pieces(payload[:100_000], 7000)) == 100_000
    assert await partials.append(UPLOAD, 100_000, pieces(payload[100_000:], 64 * KIB)) == len(payload) - 100_000
    storage = LocalStorage(str(tmp_path / "storage"))
    assert await partials.complete(UPLOAD, storage, UPLOAD) == len(payload)
    assert Path(storage.path_of(UPLOAD)).read_bytes() == payload
    assert tus_keys(s3_server, s3_bucket) == []
    assert await partials.complete(UPLOAD, storage, UPLOAD) == len(payload)  # again, after a crash
    with pytest.raises(NotFound):
        await partials.stored_length(UPLOAD)


async def test_a_completion_interrupted_after_the_move_removes_the_leftovers(
    partials: S3PartialUploads, s3_server: S3Server, s3_bucket: str
) -> None:
    payload = data(3 * SEGMENT)
    storage = MemoryStorage()
    await partials.create(UPLOAD)
    await partials.append(UPLOAD, 0, pieces(payload, SEGMENT))
    await storage.write(UPLOAD, pieces(payload, MIB))  # the move happened, the process died before the clean-up
    assert await partials.complete(UPLOAD, storage, UPLOAD) == len(payload)
    assert tus_keys(s3_server, s3_bucket) == []


async def test_removal_leaves_no_key_under_tus(
    partials: S3PartialUploads, store: S3Store, s3_server: S3Server, s3_bucket: str
) -> None:
    await partials.create(UPLOAD)
    await partials.create("up2")
    await partials.append(UPLOAD, 0, pieces(data(3 * SEGMENT + 5), 10_000))
    await store.put_async(segment_key(0) + ".cut", b"left by a crash while shortening a segment")
    await partials.remove(UPLOAD)
    await partials.remove(UPLOAD)
    await partials.remove("../escape")
    assert tus_keys(s3_server, s3_bucket) == [f"{PREFIX}tus/up2/created"]
    with pytest.raises(NotFound):
        await partials.append(UPLOAD, 0, pieces(b"x", 1))


async def test_segments_past_a_gap_do_not_count_and_the_next_append_drops_them(
    partials: S3PartialUploads, store: S3Store, s3_server: S3Server, s3_bucket: str
) -> None:
    payload = data(2 * SEGMENT)
    await partials.create(UPLOAD)
    await partials.append(UPLOAD, 0, pieces(payload[: SEGMENT + 10], 4096))
    await store.put_async(segment_key(5 * SEGMENT), b"past a gap")
    await store.put_async(segment_key(SEGMENT + 3), b"starts inside the last segment")
    assert await partials.stored_length(UPLOAD) == SEGMENT + 10
    await partials.append(UPLOAD, SEGMENT + 10, pieces(payload[SEGMENT + 10 :], 4096))
    assert segment_key(5 * SEGMENT) not in tus_keys(s3_server, s3_bucket)
    storage = MemoryStorage()
    assert await partials.complete(UPLOAD, storage, UPLOAD) == len(payload)
    assert await read_all(storage, UPLOAD) == payload


async def test_an_append_past_the_bytes_held_is_refused(partials: S3PartialUploads) -> None:
    await partials.create(UPLOAD)
    await partials.append(UPLOAD, 0, pieces(b"abc", 3))
    with pytest.raises(NotFound):
        await partials.append(UPLOAD, 4, pieces(b"x", 1))


# Random appends (some breaking off) and truncations agree with the memory store ---------------------------------

APPEND = st.tuples(
    st.just("append"),
    st.floats(0, 1),  # where, as a fraction of what the upload holds
    st.lists(st.integers(1, 40), min_size=0, max_size=5),  # chunk sizes
    st.booleans(),  # the body breaks off after its chunks
)
EXAMPLES = itertools.count()
TRUNCATE = st.tuples(st.just("truncate"), st.floats(0, 1.2), st.just([]), st.just(False))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(st.one_of(APPEND, TRUNCATE), min_size=1, max_size=6))
async def test_random_operations_agree_with_the_memory_store(
    store: S3Store, s3_server: S3Server, s3_bucket: str, operations: list[tuple[str, float, list[int], bool]]
) -> None:
    upload_id = f"h{next(EXAMPLES)}"  # one bucket for every example
    s3 = S3PartialUploads(store, prefix=PREFIX, segment_bytes=16)
    memory = MemoryPartialUploads()
    for partials in (s3, memory):
        await partials.create(upload_id)
    counter = 0
    for kind, where, sizes, breaks in operations:
        held = await memory.stored_length(upload_id)
        at = min(held, int(held * where))
        if kind == "truncate":
            for partials in (s3, memory):
                await partials.truncate(upload_id, at)
        else:
            chunks = [bytes([(counter + n) % 256]) * size for n, size in enumerate(sizes)]
            counter += len(sizes)
            results = []
            for partials in (s3, memory):
                try:
                    results.append(await partials.append(upload_id, at, body(chunks, breaks)))
                except ConnectionResetError:
                    results.append(-1)
            assert results[0] == results[1]
        assert await s3.stored_length(upload_id) == await memory.stored_length(upload_id)
    s3_storage, memory_storage = MemoryStorage(), MemoryStorage()
    assert await s3.complete(upload_id, s3_storage, upload_id) == await memory.complete(
        upload_id, memory_storage, upload_id
    )
    assert await read_all(s3_storage, upload_id) == await read_all(memory_storage, upload_id)
    assert [key for key in s3_server.keys(s3_bucket) if key.startswith(f"{PREFIX}tus/{upload_id}/")] == []
    assert s3_server.multipart_uploads(s3_bucket) == []


async def body(chunks: list[bytes], breaks: bool) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk
    if breaks:
        raise ConnectionResetError("client went away")


UNREACHABLE_ATTEMPTS: dict[str, Callable[[S3PartialUploads], Awaitable[object]]] = {
    "create": lambda p: p.create(UPLOAD),
    "append": lambda p: p.append(UPLOAD, 0, pieces(b"abc", 1)),
    "stored_length": lambda p: p.stored_length(UPLOAD),
    "truncate": lambda p: p.truncate(UPLOAD, 0),
    "complete": lambda p: p.complete(UPLOAD, MemoryStorage(), UPLOAD),
    "remove": lambda p: p.remove(UPLOAD),
}


@pytest.mark.parametrize("operation", UNREACHABLE_ATTEMPTS)
async def test_an_unreachable_store_is_storage_unavailable(operation: str) -> None:
    store = open_s3_store(
        "vod-unreachable",
        endpoint_url=S3Server.nowhere().endpoint_url,
        region=REGION,
        access_key_id=ACCESS_KEY,
        secret_access_key=SECRET_KEY,
    )
    with pytest.raises(StorageUnavailable, match="resumable upload"):
        await UNREACHABLE_ATTEMPTS[operation](S3PartialUploads(store))
