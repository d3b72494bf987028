"""Media served from S3 storage (moto on loopback): no local file to send, the bytes are streamed from ranged GETs.

The tests are those of test_storage_and_files.py that do not look into a
local storage directory, imported so that they run here again with this
module's ``service_storage``: the same HTTP answers over either store.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.storage.s3 import S3Storage
from tests.contract.test_object_storage import s3_storage
from tests.http.conftest import Service, local
from tests.http.test_storage_and_files import (  # noqa: F401 (collected again, over S3)
    test_a_file_is_served_whole_with_its_content_type,
    test_a_range_beyond_the_end_is_416,
    test_a_range_is_served_as_206,
    test_an_unsupported_range_serves_the_whole_file,
    test_bytes_served_count_as_the_videos_traffic,
    test_head_gives_the_headers_without_a_body,
    test_unknown_files_are_404,
)
from tests.support.s3 import S3Server


@pytest.fixture
def service_storage(s3_server: S3Server, s3_bucket: str, tmp_path: Path) -> S3Storage:
    return s3_storage(s3_server, s3_bucket, tmp_path / "cache")


async def test_uploaded_files_and_what_processing_makes_are_objects_in_the_bucket(
    service: Service, s3_server: S3Server, s3_bucket: str
) -> None:
    assert service.api.key is not None
    alice = await service.vod.users.authenticate(service.api.key)
    video_id = await service.ready_video()
    await service.vod.transcoding.start_transcode(alice.id, video_id, 1)
    await service.process()
    details = await service.vod.videos.get_video(alice.id, video_id)
    (play_set,) = details.play_sets
    stored = {details.video.storage_id, details.video.thumb_storage_id, play_set.storage_id}
    assert len(stored) == 3 and "" not in stored
    assert sorted(s3_server.keys(s3_bucket)) == sorted(f"objects/{key}" for key in stored)
    (presented,) = (await service.api.get("/video/api/get", id=video_id)).json["video"]["play_set"]
    rendition = await service.api.get(local(presented["url"]), headers={"Range": "bytes=0-3"})
    assert rendition.status == 206 and len(rendition.content) == 4
