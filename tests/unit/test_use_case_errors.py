"""Every contract error the use cases raise, raised where API.md says, changing nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from entrypoints.config import Config
from tests.support.world import World, new_world
from vod_core.errors import (
    INTERNAL_ERRORS,
    AccessDenied,
    AlreadyInLibrary,
    InvalidParameter,
    NotFound,
    StorageUnavailable,
    TranscodeExists,
    UnusableFile,
    UploadTooLarge,
    VideoNotReady,
    VideoUploadFailed,
    VodError,
)
from vod_core.play_set import PlaySetStatus
from vod_core.services.validation import Page
from vod_core.video import VideoStatus


def test_every_contract_code_has_one_named_error() -> None:
    codes = [e.code for e in INTERNAL_ERRORS]
    assert len(codes) == len(set(codes))
    assert set(codes) == {3111, 3112, 3113, 3114, *range(3121, 3128), *range(3131, 3136), *range(3141, 3145)} | {
        3151,
        3152,
        3153,
        3161,
        3162,
        3163,
        3164,
    }
    public: list[type[VodError]] = [InvalidParameter, NotFound, VideoNotReady, VideoUploadFailed, TranscodeExists]
    public += [AlreadyInLibrary, UnusableFile, AccessDenied]
    assert [e.code for e in public] == list(range(3101, 3109))


def test_an_outage_is_not_a_contract_error() -> None:
    """Adapters raise StorageUnavailable and cannot pick a code; each use case declares one."""
    assert not issubclass(StorageUnavailable, VodError)
    assert not hasattr(StorageUnavailable("database gone"), "code")


# -- 3101 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("page", "page_size", "field"), [(0, 15, "page"), (1, 0, "page_size"), (1, 101, "page_size")])
def test_paging_out_of_range_names_the_field(page: int, page_size: int, field: str) -> None:
    with pytest.raises(InvalidParameter) as raised:
        Page(page, page_size)
    assert raised.value.code == 3101 and raised.value.field == field and field in raised.value.message


async def test_create_video_refuses_an_empty_storage_id(world: World) -> None:
    with pytest.raises(InvalidParameter, match="storage_id"):
        await world.vod.videos.create_video(world.alice, "")


async def test_create_video_refuses_an_overlong_name(world: World) -> None:
    storage_id = await world.upload(world.alice)
    with pytest.raises(InvalidParameter, match="video_name"):
        await world.vod.videos.create_video(world.alice, storage_id, video_name="x" * 256)
    assert (await world.vod.videos.list_videos(world.alice, Page())).count == 0


async def test_update_needs_a_name_or_a_cover(world: World) -> None:
    video_id = await world.video(world.alice)
    with pytest.raises(InvalidParameter, match="video_name"):
        await world.vod.videos.update_video(world.alice, video_id)


@pytest.mark.parametrize(
    ("state", "password", "field"),
    [(3, "", "shared_state"), (-1, "", "shared_state"), (1, "", "password"), (2, "x" * 17, "password")],
)
async def test_share_settings_are_checked(world: World, state: int, password: str, field: str) -> None:
    video_id = await world.video(world.alice)
    with pytest.raises(InvalidParameter) as raised:
        await world.vod.sharing.set_video_password(world.alice, video_id, state, password)
    assert raised.value.field == field
    video = (await world.vod.videos.get_video(world.alice, video_id)).video
    assert (video.shared_state, video.share_password) == (0, "")


async def test_an_unknown_template_is_refused(world: World) -> None:
    video_id = await world.video(world.alice)
    with pytest.raises(InvalidParameter, match="task_config_temp_id"):
        await world.vod.transcoding.start_transcode(world.alice, video_id, 6)
    with pytest.raises(InvalidParameter, match="task_config_temp_ids"):
        await world.vod.preferences.save_trans_config(world.alice, [1, 9])
    assert await world.vod.preferences.get_trans_config(world.alice) == []


async def test_batch_delete_limits(world: World) -> None:
    with pytest.raises(InvalidParameter, match="ids"):
        await world.vod.videos.delete_videos(world.alice, [])
    with pytest.raises(InvalidParameter, match="at most 100"):
        await world.vod.videos.delete_videos(world.alice, [f"id{n}" for n in range(101)])


@pytest.mark.parametrize(
    ("event", "url", "reason"),
    [
        ("sms", "https://example.com/hook", "event"),
        ("video", "ftp://example.com/hook", "http or https"),
        ("video", "http://127.0.0.1:9000/hook", "private or loopback"),
        ("video", "http://10.1.2.3/hook", "private or loopback"),
        ("video", "http://localhost/hook", "private or loopback"),
        ("video", "https://user:pw@example.com/hook", "credentials"),
        ("video", "https:///nohost", "host"),
    ],
)
async def test_callback_urls_are_checked(world: World, event: str, url: str, reason: str) -> None:
    with pytest.raises(InvalidParameter, match=reason):
        await world.vod.preferences.set_callback(world.alice, event, url)
    assert (await world.vod.preferences.get_settings(world.alice)).callbacks == {}


async def test_private_callbacks_are_allowed_when_configured() -> None:
    world = await new_world(Config.in_memory(webhook_allow_private=True))
    await world.vod.preferences.set_callback(world.alice, "video", "http://127.0.0.1:9000/hook")
    assert (await world.vod.preferences.get_settings(world.alice)).callbacks


async def test_an_upload_over_the_limit_keeps_nothing() -> None:
    world = await new_world(Config.in_memory(max_upload_bytes=10))
    with pytest.raises(UploadTooLarge) as raised:
        await world.upload(world.alice, b"x" * 11)
    assert raised.value.code == 3101


async def test_user_names_are_unique(world: World) -> None:
    with pytest.raises(InvalidParameter, match="name"):
        await world.vod.users.create_user("alice")


# -- 3102 -------------------------------------------------------------------------------------


async def test_another_users_video_is_reported_like_a_missing_one(world: World) -> None:
    video_id = await world.video(world.alice)
    for call in (
        world.vod.videos.get_video(world.bob, video_id),
        world.vod.videos.update_video(world.bob, video_id, video_name="mine"),
        world.vod.videos.delete_video(world.bob, video_id),
        world.vod.sharing.set_video_password(world.bob, video_id, 2),
        world.vod.transcoding.start_transcode(world.bob, video_id, 1),
        world.vod.videos.get_video(world.alice, "nosuchvideo"),
    ):
        with pytest.raises(NotFound) as raised:
            await call
        assert raised.value.code == 3102
    assert (await world.vod.videos.get_video(world.alice, video_id)).video.status == VideoStatus.READY


async def test_create_video_needs_the_callers_own_file(world: World) -> None:
    storage_id = await world.upload(world.alice)
    with pytest.raises(NotFound, match="storage_id"):
        await world.vod.videos.create_video(world.bob, storage_id)
    with pytest.raises(NotFound):
        await world.vod.videos.create_video(world.alice, "nosuchfile")


@pytest.mark.parametrize("field_value", ["x" * 33, "a" * 100])
async def test_over_long_ids_are_refused_before_any_lookup(world: World, field_value: str) -> None:
    with pytest.raises(InvalidParameter, match="id"):
        await world.vod.videos.get_video(world.alice, field_value)


async def test_batch_delete_with_one_bad_id_deletes_nothing_and_names_it(world: World) -> None:
    mine = [await world.video(world.alice) for _ in range(2)]
    theirs = await world.video(world.bob)
    with pytest.raises(NotFound, match=theirs):
        await world.vod.videos.delete_videos(world.alice, [*mine, theirs])
    for video_id in mine:
        assert (await world.vod.videos.get_video(world.alice, video_id)).video.status == VideoStatus.READY


async def test_a_deleted_video_is_gone_but_deleting_it_again_is_fine(world: World) -> None:
    video_id = await world.video(world.alice)
    await world.vod.videos.delete_video(world.alice, video_id)
    await world.vod.videos.delete_video(world.alice, video_id)
    with pytest.raises(NotFound):
        await world.vod.videos.get_video(world.alice, video_id)
    with pytest.raises(NotFound):
        await world.vod.sharing.get_shared_video(video_id)


async def test_a_cover_must_be_the_callers_unused_file(world: World) -> None:
    video_id = await world.video(world.alice)
    other_video = await world.video(world.alice)
    bobs_file = await world.upload(world.bob, b"\xff\xd8jpeg", "cover.jpg")
    with pytest.raises(NotFound, match="thumb_storage_id"):
        await world.vod.videos.update_video(world.alice, video_id, thumb_storage_id=bobs_file)
    used = (await world.vod.videos.get_video(world.alice, other_video)).video.storage_id
    with pytest.raises(InvalidParameter, match="thumb_storage_id"):
        await world.vod.videos.update_video(world.alice, video_id, thumb_storage_id=used)


# -- 3103 / 3104 / 3105 / 3106 / 3107 ---------------------------------------------------------


async def test_transcoding_a_video_that_is_not_ready_is_3103(world: World) -> None:
    video_id = await world.video(world.alice, ready=False)
    with pytest.raises(VideoNotReady) as raised:
        await world.vod.transcoding.start_transcode(world.alice, video_id, 1)
    assert raised.value.code == 3103


async def test_transcoding_a_failed_upload_is_3104(world: World) -> None:
    video_id = await world.video(world.alice, usable=False)
    assert (await world.vod.videos.get_video(world.alice, video_id)).video.status == VideoStatus.UPLOAD_FAILED
    with pytest.raises(VideoUploadFailed) as raised:
        await world.vod.transcoding.start_transcode(world.alice, video_id, 1)
    assert raised.value.code == 3104


async def test_a_second_transcode_of_a_template_is_3105_unless_redo(world: World) -> None:
    video_id = await world.video(world.alice)
    first = await world.vod.transcoding.start_transcode(world.alice, video_id, 1)
    with pytest.raises(TranscodeExists) as raised:
        await world.vod.transcoding.start_transcode(world.alice, video_id, 1)
    assert raised.value.code == 3105
    await world.jobs.drain(world.vod.processing.handle)
    second = await world.vod.transcoding.start_transcode(world.alice, video_id, 1, redo=True)
    play_sets = (await world.vod.videos.get_video(world.alice, video_id)).play_sets
    assert [p.id for p in play_sets] == [second.id] and second.id != first.id
    assert second.status == PlaySetStatus.INITIAL


async def test_the_same_file_twice_in_the_library_is_3106(world: World) -> None:
    storage_id = await world.upload(world.alice)
    await world.vod.videos.create_video(world.alice, storage_id)
    with pytest.raises(AlreadyInLibrary) as raised:
        await world.vod.videos.create_video(world.alice, storage_id)
    assert raised.value.code == 3106
    assert (await world.vod.videos.list_videos(world.alice, Page())).count == 1


async def test_reusing_a_file_that_is_not_a_video_is_3107(world: World) -> None:
    storage_id = await world.upload(world.alice, b"not a video")
    await world.vod.videos.create_video(world.alice, storage_id)
    await world.jobs.drain(world.vod.processing.handle)
    with pytest.raises(UnusableFile) as raised:
        await world.vod.videos.create_video(world.alice, storage_id)
    assert raised.value.code == 3107


# -- 3108 -------------------------------------------------------------------------------------


async def test_a_missing_or_unknown_api_key_is_3108_unauthenticated(world: World) -> None:
    for key in ("", "not-a-key"):
        with pytest.raises(AccessDenied) as raised:
            await world.vod.users.authenticate(key)
        assert raised.value.code == 3108 and raised.value.unauthenticated


async def test_a_valid_key_authenticates_its_user(world: World) -> None:
    user, key = await world.vod.users.create_user("carol")
    assert (await world.vod.users.authenticate(key)).id == user.id
    second = await world.vod.users.add_api_key("carol")
    assert (await world.vod.users.authenticate(second)).id == user.id


async def test_shared_video_access_follows_the_shared_state(world: World) -> None:
    video_id = await world.video(world.alice)
    with pytest.raises(AccessDenied) as raised:
        await world.vod.sharing.get_shared_video(video_id)
    assert not raised.value.unauthenticated
    await world.vod.sharing.set_video_password(world.alice, video_id, 1, "s3cret")
    with pytest.raises(AccessDenied):
        await world.vod.sharing.get_shared_video(video_id, "guess")
    assert (await world.vod.sharing.get_shared_video(video_id, "s3cret")).video.id == video_id
    await world.vod.sharing.set_video_password(world.alice, video_id, 2)
    assert (await world.vod.sharing.get_shared_video(video_id)).video.id == video_id


async def test_wrong_share_passwords_are_throttled_per_video(world: World) -> None:
    video_id = await world.video(world.alice)
    other_id = await world.video(world.alice)
    for vid in (video_id, other_id):
        await world.vod.sharing.set_video_password(world.alice, vid, 1, "s3cret")
    for _ in range(5):
        with pytest.raises(AccessDenied, match="wrong password"):
            await world.vod.sharing.get_shared_video(video_id, "guess")
    with pytest.raises(AccessDenied, match="too many"):
        await world.vod.sharing.get_shared_video(video_id, "s3cret")
    assert (await world.vod.sharing.get_shared_video(other_id, "s3cret")).video.id == other_id
    world.clock.advance(timedelta(minutes=2))
    assert (await world.vod.sharing.get_shared_video(video_id, "s3cret")).video.id == video_id


async def test_errors_carry_their_code_in_repr() -> None:
    error: VodError = NotFound("video x not found")
    assert repr(error) == "NotFound(3102, 'video x not found')"
