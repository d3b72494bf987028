"""The video library endpoints: exact fields, statuses and error codes."""

from __future__ import annotations

from tests.http.conftest import BASE_URL, Service, local, unsigned
from tests.support.contract_fields import PLAY_SET_FIELDS, VIDEO_FIELDS
from tests.support.media_urls import signed_query


async def test_create_returns_an_id_and_the_video_starts_without_urls(service: Service) -> None:
    storage_id = await service.upload(filename="holiday.mp4")
    created = await service.api.post(
        "/video/api/create", {"storage_id": storage_id, "source_type": "upload", "source_id": "s1"}
    )
    assert created.status == 200
    assert created.json["errcode"] == 1000 and created.json["msg"] == "OK"
    video = (await service.api.get("/video/api/get", id=created.json["id"])).json["video"]
    assert list(video) == VIDEO_FIELDS
    assert video["status"] == 0
    assert video["origin_url"] == "" and video["thumb_url"] == ""
    assert video["video_name"] == "holiday.mp4"
    assert (video["source_type"], video["source_id"]) == ("upload", "s1")


async def test_a_processed_video_is_ready_with_urls_size_and_local_times(service: Service) -> None:
    video_id = await service.ready_video(name="a.mp4")
    video = (await service.api.get("/video/api/get", id=video_id)).json["video"]
    assert video["status"] == 1
    assert unsigned(video["origin_url"]) == f"{BASE_URL}/files/{video['storage_id']}"
    assert unsigned(video["thumb_url"]).startswith(f"{BASE_URL}/files/")
    assert signed_query(video["origin_url"]) == signed_query(video["thumb_url"])  # one grant per video
    assert (video["video_width"], video["video_height"], video["video_duration"]) == (1280, 720, 10_000)
    assert video["created_at"].startswith("2026-01-01T12:00:00") and video["created_at"].endswith("+08:00")
    assert video["shared_state"] == 0 and video["share_password"] == ""


async def test_play_sets_are_listed_with_the_seed_fields(service: Service) -> None:
    video_id = await service.ready_video()
    assert (
        await service.api.post("/video/api/trans", {"task_config_temp_id": 1}, params={"id": video_id})
    ).status == 200
    await service.process()
    (play_set,) = (await service.api.get("/video/api/get", id=video_id)).json["video"]["play_set"]
    assert list(play_set) == PLAY_SET_FIELDS
    assert play_set["status"] == 1 and play_set["trans_progress"] == 1.0
    assert play_set["resolution"] == "360P" and play_set["trans_task_config_temp_id"] == 1
    assert unsigned(play_set["url"]) == f"{BASE_URL}/files/{play_set['storage_id']}"
    assert (await service.api.as_user(None).get(local(play_set["url"]))).status == 200
    assert (play_set["video_width"], play_set["video_height"]) == (640, 360)


async def test_list_pages_newest_first_with_the_total_count(service: Service) -> None:
    ids = [await service.ready_video(name=f"v{n}.mp4") for n in range(3)]
    first = await service.api.get("/video/api/list", page=1, page_size=2)
    assert first.json["count"] == 3
    assert [v["id"] for v in first.json["videos"]] == [ids[2], ids[1]]
    second = await service.api.get("/video/api/list", page=2, page_size=2)
    assert [v["id"] for v in second.json["videos"]] == [ids[0]]
    default = await service.api.get("/video/api/list")
    assert len(default.json["videos"]) == 3


async def test_search_matches_an_id_or_a_name_part_and_filters_by_source_type(service: Service) -> None:
    cat = await service.ready_video(name="My Cat.mp4", source_type="phone")
    dog = await service.ready_video(name="dog.mp4", source_type="camera")
    by_name = await service.api.get("/video/api/search", search="cat")
    assert [v["id"] for v in by_name.json["videos"]] == [cat] and by_name.json["count"] == 1
    by_id = await service.api.get("/video/api/search", search=dog)
    assert [v["id"] for v in by_id.json["videos"]] == [dog]
    by_source = await service.api.get("/video/api/search", source_type="camera")
    assert [v["id"] for v in by_source.json["videos"]] == [dog]
    everything = await service.api.get("/video/api/search")
    assert everything.json["count"] == 2


async def test_update_renames_and_replaces_the_cover_deleting_the_old_one(service: Service) -> None:
    video_id = await service.ready_video()
    old_cover = (await service.api.get("/video/api/get", id=video_id)).json["video"]["thumb_url"]
    new_cover = await service.upload(data=b"\xff\xd8jpeg", filename="cover.jpg")
    response = await service.api.post(
        "/video/api/update", {"video_name": "renamed", "thumb_storage_id": new_cover}, params={"id": video_id}
    )
    assert response.status == 200 and response.json == {"errcode": 1000, "msg": "OK"}
    video = (await service.api.get("/video/api/get", id=video_id)).json["video"]
    assert video["video_name"] == "renamed"
    assert unsigned(video["thumb_url"]) == f"{BASE_URL}/files/{new_cover}"
    assert (await service.api.get(local(video["thumb_url"]))).status == 200
    assert (await service.api.get(local(old_cover))).status == 404


async def test_update_without_any_field_names_the_missing_field(service: Service) -> None:
    video_id = await service.ready_video()
    response = await service.api.post("/video/api/update", {}, params={"id": video_id})
    assert response.status == 400 and response.json["errcode"] == 3101
    assert "video_name" in response.json["msg"]


async def test_create_from_a_missing_file_is_3102_and_twice_the_same_file_is_3106(service: Service) -> None:
    missing = await service.api.post("/video/api/create", {"storage_id": "nosuchfile"})
    assert (missing.status, missing.json["errcode"]) == (404, 3102)
    storage_id = await service.upload()
    assert (await service.api.post("/video/api/create", {"storage_id": storage_id})).status == 200
    again = await service.api.post("/video/api/create", {"storage_id": storage_id})
    assert (again.status, again.json["errcode"]) == (409, 3106)


async def test_delete_removes_the_video_and_is_idempotent(service: Service) -> None:
    video_id = await service.ready_video()
    origin = (await service.api.get("/video/api/get", id=video_id)).json["video"]["origin_url"]
    assert (await service.api.post("/video/api/delete", params={"id": video_id})).status == 200
    assert (await service.api.post("/video/api/delete", params={"id": video_id})).status == 200
    gone = await service.api.get("/video/api/get", id=video_id)
    assert (gone.status, gone.json["errcode"]) == (404, 3102)
    assert (await service.api.get(origin.removeprefix(BASE_URL))).status == 404
    assert (await service.api.get("/video/api/list")).json["count"] == 0


async def test_batch_delete_is_all_or_nothing_and_names_the_bad_id(service: Service) -> None:
    first, second = await service.ready_video(), await service.ready_video()
    refused = await service.api.post("/video/api/delete_videos", params={"ids": f"{first},missing1"})
    assert (refused.status, refused.json["errcode"]) == (404, 3102)
    assert "missing1" in refused.json["msg"]
    assert (await service.api.get("/video/api/list")).json["count"] == 2
    done = await service.api.post("/video/api/delete_videos", params={"ids": f"{first},{second}"})
    assert done.status == 200
    assert (await service.api.get("/video/api/list")).json["count"] == 0


async def test_batch_delete_refuses_more_than_100_ids(service: Service) -> None:
    ids = ",".join(f"id{n}" for n in range(101))
    response = await service.api.post("/video/api/delete_videos", params={"ids": ids})
    assert (response.status, response.json["errcode"]) == (400, 3101)
    assert "ids" in response.json["msg"]


async def test_size_sum_counts_original_cover_and_renditions(service: Service) -> None:
    assert (await service.api.get("/video/api/get_video_size_sum")).json["size_sum"] == 0
    video_id = await service.ready_video()
    video = (await service.api.get("/video/api/get", id=video_id)).json["video"]
    size_sum = (await service.api.get("/video/api/get_video_size_sum")).json["size_sum"]
    assert size_sum > video["file_size"] > 0
