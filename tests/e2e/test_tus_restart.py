"""tus against a real ``vod serve``: tuspy's uploads survive a restart, races and broken connections.

The offset lives in the database and the bytes under the data directory,
so an upload interrupted half-way resumes in a new process and ends byte
for byte the file that was sent.
"""

from __future__ import annotations

import base64
import hashlib
import os
import socket
from pathlib import Path

import httpx
import pytest
from tusclient.client import TusClient
from tusclient.exceptions import TusCommunicationError

from tests.e2e.conftest import API_KEY, Server, free_port, start_server, wait_for

TUS = "/storage/api/tus"
V = {"Tus-Resumable": "1.0.0"}
AUTH = {"Authorization": f"Bearer {API_KEY}"}


def tus_client(server: Server) -> TusClient:
    return TusClient(f"{server.base_url}{TUS}", headers=AUTH)


def offset_of(server: Server, upload_url: str) -> int:
    response = httpx.head(upload_url, headers={**V, **AUTH}, timeout=10)
    assert response.status_code == 200, response.status_code
    return int(response.headers["upload-offset"])


def video_status(api: httpx.Client, video_id: str) -> int | None:
    status: int = api.get("/video/api/get", params={"id": video_id}).json()["video"]["status"]
    return status if status in (1, 3) else None


def test_an_upload_interrupted_half_way_resumes_after_a_restart_byte_identical(tmp_path: Path, clip: Path) -> None:
    data_dir, port = tmp_path / "data", free_port()
    sent = clip.read_bytes()
    chunk = max(1024, len(sent) // 6 + 1)
    server = start_server(data_dir, "--port", str(port), VOD_DEFAULT_API_KEY=API_KEY)
    try:
        uploader = tus_client(server).uploader(
            str(clip), chunk_size=chunk, metadata={"filename": "holiday.mp4"}, upload_checksum=True
        )
        for _ in range(3):
            uploader.upload_chunk()
        upload_url = str(uploader.url)
        storage_id = upload_url.rsplit("/", 1)[1]
        with server.client() as api:
            early = api.post("/video/api/create", json={"storage_id": storage_id})
            assert (early.status_code, early.json()["errcode"]) == (409, 3103)
    finally:
        code, output = server.stop()
    assert code == 0, output

    server = start_server(data_dir, "--port", str(port), VOD_DEFAULT_API_KEY=API_KEY)
    try:
        resumed = tus_client(server).uploader(str(clip), url=upload_url, chunk_size=chunk, upload_checksum=True)
        assert resumed.offset == 3 * chunk  # from the new process, out of the database
        resumed.upload()
        assert offset_of(server, upload_url) == len(sent)
        assert (data_dir / "storage" / "objects" / storage_id).read_bytes() == sent
        assert not (data_dir / "uploads" / storage_id).exists()
        with server.client() as api:
            stored = api.get("/storage/api/get", params={"id": storage_id}).json()
            assert (stored["file_size"], stored["filename"]) == (len(sent), "holiday.mp4")
            created = api.post("/video/api/create", json={"storage_id": storage_id}).json()
            assert created["errcode"] == 1000, created
            assert wait_for("the video to be probed", lambda: video_status(api, created["id"])) == 1
            video = api.get("/video/api/get", params={"id": created["id"]}).json()["video"]
            downloaded = httpx.get(video["origin_url"], timeout=30).content
            assert hashlib.sha256(downloaded).digest() == hashlib.sha256(sent).digest()
    finally:
        code, output = server.stop()
    assert code == 0, output


def _patch_head(upload_id: str, offset: int, length: int) -> bytes:
    lines = [
        f"PATCH {TUS}/{upload_id} HTTP/1.1",
        "Host: 127.0.0.1",
        "Tus-Resumable: 1.0.0",
        f"Authorization: Bearer {API_KEY}",
        "Content-Type: application/offset+octet-stream",
        f"Upload-Offset: {offset}",
        f"Content-Length: {length}",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_a_patch_racing_a_running_one_gets_409_and_a_broken_one_keeps_what_arrived(server: Server) -> None:
    with server.client() as api:
        created = api.post(TUS, headers={**V, "Upload-Length": "3000000"})
        assert created.status_code == 201
        upload_url = created.headers["location"]
        upload_id = upload_url.rsplit("/", 1)[1]
        host, port = server.base_url.removeprefix("http://").split(":")
        first_part = os.urandom(1_500_000)
        partial = server.data_dir / "uploads" / upload_id
        with socket.create_connection((host, int(port)), timeout=10) as slow:
            slow.sendall(_patch_head(upload_id, 0, 3_000_000) + first_part)
            # the first PATCH is streaming (it holds the upload: its first batch is on disk) until its connection goes
            wait_for("the first PATCH to write", lambda: partial.stat().st_size >= 1024 * 1024 or None)
            racing = api.patch(
                f"{TUS}/{upload_id}",
                headers={**V, "Content-Type": "application/offset+octet-stream", "Upload-Offset": "0"},
                content=b"x" * 10,
            )
            assert (racing.status_code, racing.headers["tus-resumable"]) == (409, "1.0.0")
            with pytest.raises(httpx.HTTPStatusError):
                api.delete(f"{TUS}/{upload_id}", headers=V).raise_for_status()
        # the client went away after 1 500 000 bytes: they are kept, and the upload resumes after them
        assert wait_for("the broken PATCH to settle", lambda: offset_of(server, upload_url) or None) == 1_500_000
        rest = os.urandom(1_500_000)
        digest = base64.b64encode(hashlib.sha1(rest).digest()).decode()
        done = api.patch(
            f"{TUS}/{upload_id}",
            headers={
                **V,
                "Content-Type": "application/offset+octet-stream",
                "Upload-Offset": "1500000",
                "Upload-Checksum": f"sha1 {digest}",
            },
            content=rest,
        )
        assert (done.status_code, done.headers["upload-offset"]) == (204, "3000000")
        assert (server.data_dir / "storage" / "objects" / upload_id).read_bytes() == first_part + rest


def test_tuspy_sees_a_checksum_mismatch_and_termination(server: Server, tmp_path: Path) -> None:
    source = tmp_path / "data.bin"
    source.write_bytes(os.urandom(50_000))
    uploader = tus_client(server).uploader(str(source), chunk_size=20_000, upload_checksum=True)
    uploader.upload_chunk()
    with server.client() as api:
        wrong = api.patch(
            str(uploader.url),
            headers={
                **V,
                "Content-Type": "application/offset+octet-stream",
                "Upload-Offset": "20000",
                "Upload-Checksum": "sha1 " + base64.b64encode(hashlib.sha1(b"other").digest()).decode(),
            },
            content=b"y" * 20_000,
        )
        assert wrong.status_code == 460
        assert offset_of(server, str(uploader.url)) == 20_000
        assert api.delete(str(uploader.url), headers=V).status_code == 204
    with pytest.raises(TusCommunicationError):
        uploader.upload_chunk()
    assert not (server.data_dir / "uploads" / str(uploader.url).rsplit("/", 1)[1]).exists()
