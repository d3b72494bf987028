"""The tus routes over the S3 partial-upload store (moto's server): chunks, a refused chunk, completion, termination."""

from __future__ import annotations

import base64
import hashlib
import random
from pathlib import Path

import pytest

from adapters.partial_uploads.s3 import S3PartialUploads
from tests.http.conftest import Service
from tests.http.test_tus import TUS, V, call, create, offset_of, patch
from tests.support.s3 import S3Server, obstore_s3

SEGMENT = 64 * 1024


@pytest.fixture
def service_partial_uploads(s3_server: S3Server, s3_bucket: str) -> S3PartialUploads:
    return S3PartialUploads(obstore_s3(s3_server, s3_bucket), prefix="vod", segment_bytes=SEGMENT)


def tus_keys(server: S3Server, bucket: str) -> list[str]:
    return [key for key in server.keys(bucket) if key.startswith("vod/tus/")]


async def test_an_upload_in_chunks_with_a_refused_one_is_stored_byte_identical(
    service: Service, s3_server: S3Server, s3_bucket: str, tmp_path: Path
) -> None:
    data = random.Random(3).randbytes(5 * SEGMENT + 321)
    upload_id = await create(service, len(data), "holiday.mp4")
    assert (await patch(service, upload_id, 0, data[:100_000])).status == 204
    wrong = base64.b64encode(hashlib.sha1(b"something else").digest()).decode()
    refused = await patch(service, upload_id, 100_000, data[100_000:250_000], **{"Upload-Checksum": f"sha1 {wrong}"})
    assert refused.status == 460
    assert await offset_of(service, upload_id) == 100_000
    assert (await patch(service, upload_id, 100_000, data[100_000:250_000])).status == 204
    last = await patch(service, upload_id, 250_000, data[250_000:])
    assert (last.status, last.headers["upload-offset"]) == (204, str(len(data)))
    stored = await service.api.get("/storage/api/get", id=upload_id)
    assert stored.json["file_size"] == len(data)
    assert (tmp_path / "storage" / "objects" / upload_id).read_bytes() == data
    assert tus_keys(s3_server, s3_bucket) == []
    assert s3_server.multipart_uploads(s3_bucket) == []


async def test_termination_removes_the_segments(service: Service, s3_server: S3Server, s3_bucket: str) -> None:
    upload_id = await create(service, 4 * SEGMENT)
    assert (await patch(service, upload_id, 0, b"x" * (2 * SEGMENT + 5))).status == 204
    assert tus_keys(s3_server, s3_bucket) != []
    assert (await call(service, "delete", f"{TUS}/{upload_id}", V)).status == 204
    assert tus_keys(s3_server, s3_bucket) == []
    assert (await call(service, "head", f"{TUS}/{upload_id}", V)).status == 404
