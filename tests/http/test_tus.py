"""The tus 1.0.0 routes in-process: headers, statuses, extensions (a real client: tests/e2e/test_tus_restart.py)."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sanic_testing.testing import TestingResponse

from tests.http.conftest import Service
from vod_core.resumable import UPLOAD_LIFETIME

TUS = "/storage/api/tus"
V = {"Tus-Resumable": "1.0.0"}
CHUNK = {**V, "Content-Type": "application/offset+octet-stream"}


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


async def call(
    service: Service, method: str, path: str, headers: dict[str, str] | None = None, **kw: Any
) -> TestingResponse:
    send = getattr(service.api.client, method)
    _, response = await send(path, headers={"Authorization": f"Bearer {service.api.key}", **(headers or {})}, **kw)
    return response


async def create(service: Service, length: int, name: str = "clip.mp4", **headers: str) -> str:
    response = await call(
        service, "post", TUS, {**V, "Upload-Length": str(length), "Upload-Metadata": f"filename {b64(name)}", **headers}
    )
    assert response.status == 201, response.text
    location = response.headers["location"]
    assert location.startswith("http") and f"{TUS}/" in location
    return location.rsplit("/", 1)[1]


async def patch(service: Service, upload_id: str, offset: int, data: bytes, **headers: str) -> TestingResponse:
    return await call(
        service, "patch", f"{TUS}/{upload_id}", {**CHUNK, "Upload-Offset": str(offset), **headers}, content=data
    )


async def offset_of(service: Service, upload_id: str) -> int:
    response = await call(service, "head", f"{TUS}/{upload_id}", V)
    assert response.status == 200, response.status
    return int(response.headers["upload-offset"])


async def test_options_lists_the_version_extensions_and_limits(service: Service) -> None:
    _, response = await service.api.client.options(TUS)
    assert response.status == 204
    assert response.headers["tus-version"] == "1.0.0"
    assert response.headers["tus-resumable"] == "1.0.0"
    assert set(response.headers["tus-extension"].split(",")) == {
        "creation",
        "creation-with-upload",
        "termination",
        "expiration",
        "checksum",
    }
    assert int(response.headers["tus-max-size"]) == service.vod.resumable_uploads.size_limit
    assert response.headers["tus-checksum-algorithm"] == "sha1"


async def test_an_upload_in_chunks_becomes_a_stored_file_under_its_url(service: Service) -> None:
    data = bytes(range(256)) * 1000
    upload_id = await create(service, len(data), "holiday.mp4")
    head = await call(service, "head", f"{TUS}/{upload_id}", V)
    assert (head.status, head.headers["upload-offset"], head.headers["upload-length"]) == (200, "0", str(len(data)))
    assert head.headers["upload-metadata"] == f"filename {b64('holiday.mp4')}"
    assert head.headers["cache-control"] == "no-store"
    expires = parsedate_to_datetime(head.headers["upload-expires"])
    assert timedelta(hours=23) < expires - service.clock.current < UPLOAD_LIFETIME + timedelta(minutes=1)
    created = await service.api.post("/video/api/create", {"storage_id": upload_id})
    assert (created.status, created.json["errcode"]) == (409, 3103)
    first = await patch(service, upload_id, 0, data[:100_000])
    assert (first.status, first.headers["upload-offset"]) == (204, "100000")
    last = await patch(service, upload_id, 100_000, data[100_000:])
    assert (last.status, last.headers["upload-offset"]) == (204, str(len(data)))
    assert "upload-expires" not in last.headers
    stored = await service.api.get("/storage/api/get", id=upload_id)
    assert (stored.json["storage_id"], stored.json["file_size"]) == (upload_id, len(data))
    assert (await service.api.post("/video/api/create", {"storage_id": upload_id})).status == 200


async def test_creation_with_upload_takes_the_first_chunk(service: Service) -> None:
    response = await call(
        service,
        "post",
        TUS,
        {**CHUNK, "Upload-Length": "10", "Upload-Metadata": f"filename {b64('a.bin')}"},
        content=b"12345",
    )
    assert (response.status, response.headers["upload-offset"]) == (201, "5")
    assert await offset_of(service, response.headers["location"].rsplit("/", 1)[1]) == 5


async def test_wrong_offsets_content_types_and_versions_are_refused(service: Service) -> None:
    upload_id = await create(service, 10)
    assert (await patch(service, upload_id, 3, b"abc")).status == 409
    wrong_type = await call(service, "patch", f"{TUS}/{upload_id}", {**V, "Upload-Offset": "0"}, content=b"abc")
    assert wrong_type.status == 415
    old = await call(service, "patch", f"{TUS}/{upload_id}", {**CHUNK, "Tus-Resumable": "0.2.2", "Upload-Offset": "0"})
    assert (old.status, old.headers["tus-version"], old.headers["tus-resumable"]) == (412, "1.0.0", "1.0.0")
    too_long = await patch(service, upload_id, 0, b"x" * 11)
    assert (too_long.status, too_long.headers["tus-resumable"]) == (413, "1.0.0")
    assert await offset_of(service, upload_id) == 0


async def test_a_checksum_mismatch_is_460_and_the_chunk_is_discarded(service: Service) -> None:
    upload_id = await create(service, 6)
    good = base64.b64encode(hashlib.sha1(b"abc").digest()).decode()
    assert (await patch(service, upload_id, 0, b"abc", **{"Upload-Checksum": f"sha1 {good}"})).status == 204
    bad = await patch(service, upload_id, 3, b"def", **{"Upload-Checksum": f"sha1 {good}"})
    assert (bad.status, bad.json["errcode"]) == (460, 3101)
    assert await offset_of(service, upload_id) == 3
    assert (await patch(service, upload_id, 3, b"def", **{"Upload-Checksum": "md5 AAAA"})).status == 400


async def test_termination_removes_the_upload(service: Service) -> None:
    upload_id = await create(service, 10)
    await patch(service, upload_id, 0, b"12345")
    assert (await call(service, "delete", f"{TUS}/{upload_id}", V)).status == 204
    assert (await call(service, "head", f"{TUS}/{upload_id}", V)).status == 404
    assert (await patch(service, upload_id, 5, b"67890")).status == 404


async def test_an_expired_upload_is_gone(service: Service) -> None:
    upload_id = await create(service, 10)
    service.clock.advance(UPLOAD_LIFETIME)
    assert (await call(service, "head", f"{TUS}/{upload_id}", V)).status == 410
    assert (await patch(service, upload_id, 0, b"1")).status == 410
    await service.vod.resumable_uploads.expire()
    assert (await call(service, "head", f"{TUS}/{upload_id}", V)).status == 404


async def test_the_size_limit_is_413_and_keys_are_required(service: Service) -> None:
    limit = service.vod.resumable_uploads.size_limit
    over = await call(service, "post", TUS, {**V, "Upload-Length": str(limit + 1)})
    assert (over.status, over.headers["tus-resumable"]) == (413, "1.0.0")
    _, anonymous = await service.api.client.post(TUS, headers={**V, "Upload-Length": "1"})
    assert anonymous.status == 401
    upload_id = await create(service, 10)
    bob = await service.new_user("bob")
    _, foreign = await bob.client.head(f"{TUS}/{upload_id}", headers={**V, "Authorization": f"Bearer {bob.key}"})
    assert foreign.status == 404


HEADER_TEXT = st.one_of(
    st.text(st.characters(codec="latin-1", exclude_characters="\r\n"), max_size=30),
    st.from_regex(r"-?[0-9]{0,25}", fullmatch=True),
    st.lists(st.tuples(st.text(max_size=5), st.binary(max_size=10)), max_size=3).map(
        lambda pairs: ",".join(f"{k} {base64.b64encode(v).decode()}" for k, v in pairs)
    ),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(length=HEADER_TEXT, metadata=HEADER_TEXT)
async def test_any_creation_headers_give_201_400_or_413_never_500(service: Service, length: str, metadata: str) -> None:
    raw = {"Upload-Length": length.encode(), "Upload-Metadata": metadata.encode()}
    response = await call(service, "post", TUS, {**V, **raw})  # type: ignore[dict-item]
    assert response.status in (201, 400, 413), response.text
    assert response.headers["tus-resumable"] == "1.0.0"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offset=HEADER_TEXT, checksum=HEADER_TEXT)
async def test_any_patch_headers_give_a_tus_status_never_500(service: Service, offset: str, checksum: str) -> None:
    upload_id = await create(service, 4)
    raw = {"Upload-Offset": offset.encode(), "Upload-Checksum": checksum.encode()}
    response = await patch(service, upload_id, 0, b"ab", **raw)  # type: ignore[arg-type]
    assert response.status in (204, 400, 409, 460), response.text
    expected = 2 if response.status == 204 else 0
    assert await offset_of(service, upload_id) == expected
