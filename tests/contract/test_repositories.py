"""The repository ports' contract, run against memory, SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from tests.contract.conftest import ReadUowFactory, UowFactory
from vod_core.errors import UniqueViolation
from vod_core.events import DeliveryState, OutboxEvent
from vod_core.files import StoredFile
from vod_core.play_set import PlaySet, PlaySetStatus
from vod_core.ports.files import FileWithVideo
from vod_core.ports.play_sets import LIVE_TEMPLATE
from vod_core.ports.users import USER_NAME
from vod_core.ports.videos import LIVE_STORAGE_ID, VideoQuery
from vod_core.settings import EventCategory, UserSettings
from vod_core.users import ApiKey, User
from vod_core.video import SharedState, Video, VideoStatus

T0 = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def video(
    video_id: str, *, user: str = "u1", name: str = "", storage: str = "", created: float = 0, **kw: object
) -> Video:
    return Video(
        id=video_id,
        user_id=user,
        storage_id=storage or f"s-{video_id}",
        video_name=name or f"video {video_id}",
        created_at=at(created),
        updated_at=at(created),
        **kw,  # type: ignore[arg-type]
    )


def play_set(play_set_id: str, video_id: str, template: int = 1, created: float = 0, **kw: object) -> PlaySet:
    return PlaySet(
        id=play_set_id,
        video_id=video_id,
        user_id="u1",
        template_id=template,
        resolution="360P",
        created_at=at(created),
        updated_at=at(created),
        **kw,  # type: ignore[arg-type]
    )


def stored(file_id: str, *, user: str = "u1", video_id: str = "", size: int = 10, deleted: bool = False) -> StoredFile:
    return StoredFile(file_id, user, f"{file_id}.mp4", size, "video/mp4", T0, video_id=video_id, deleted=deleted)


async def add_videos(uow_factory: UowFactory, *videos: Video) -> None:
    async with uow_factory() as uow:
        for v in videos:
            await uow.videos.add(v)
        await uow.commit()


# --- videos -------------------------------------------------------------------------------------


async def test_a_video_reads_back_field_for_field_with_aware_utc_times(uow_factory: UowFactory) -> None:
    shanghai = timezone(timedelta(hours=8))
    original = Video(
        id="v1",
        user_id="u1",
        storage_id="s1",
        video_name="名字 with ünïcode",
        created_at=datetime(2026, 3, 1, 20, 0, 0, 5, tzinfo=shanghai),
        updated_at=datetime(2026, 3, 1, 20, 0, 1, tzinfo=shanghai),
        source_type="upload",
        source_id="src-9",
        status=VideoStatus.READY,
        thumb_storage_id="t1",
        file_size=12_345_678_901,
        video_width=1920,
        video_height=1080,
        video_duration=3_600_000,
        shared_state=SharedState.PASSWORD,
        share_password="pw",
        skip_auto_trans=True,
        failure_reason="download failed: HTTP 404",
        source_url="https://media.example.com/path/名字.mp4?x=1",
    )
    await add_videos(uow_factory, original)
    async with uow_factory() as uow:
        loaded = await uow.videos.get("v1")
    assert loaded == original
    assert loaded is not None and loaded.created_at.utcoffset() is not None


async def test_missing_videos_are_none_and_get_many_keeps_the_order_asked(uow_factory: UowFactory) -> None:
    await add_videos(uow_factory, video("a"), video("b"), video("c"))
    async with uow_factory() as uow:
        assert await uow.videos.get("nope") is None
        assert [v.id for v in await uow.videos.get_many(["c", "nope", "a"])] == ["c", "a"]
        assert await uow.videos.get_many([]) == []


async def test_update_changes_the_stored_video(uow_factory: UowFactory) -> None:
    await add_videos(uow_factory, video("v1"))
    async with uow_factory() as uow:
        changed = await uow.videos.get("v1")
        assert changed is not None
        changed.video_name = "renamed"
        changed.move_to(VideoStatus.READY, at(5))
        await uow.videos.update(changed)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.videos.get("v1") == changed


async def test_find_lists_a_users_live_videos_newest_first_in_pages(uow_factory: UowFactory) -> None:
    await add_videos(
        uow_factory,
        *(video(f"v{n}", created=n) for n in range(5)),
        video("tie-a", created=10),
        video("tie-b", created=10),
        video("gone", created=20, status=VideoStatus.DELETED),
        video("other", user="u2", created=30),
    )
    query = VideoQuery("u1")
    async with uow_factory() as uow:
        first = await uow.videos.find(query, 0, 3)
        rest = await uow.videos.find(query, 3, 10)
        assert [v.id for v in first] == ["tie-b", "tie-a", "v4"]
        assert [v.id for v in rest] == ["v3", "v2", "v1", "v0"]
        assert await uow.videos.count(query) == 7


async def test_deep_pages_are_the_same_rows_from_either_end(uow_factory: UowFactory) -> None:
    """Past offset 1,000 a plain list may walk from the oldest end; the pages must not change."""
    count = 1_030
    videos = [video(f"v{n:04d}", created=n // 3) for n in range(count)]  # ties of three in created_at
    videos += [video("gone", created=5, status=VideoStatus.DELETED), video("other", user="u2", created=7)]
    await add_videos(uow_factory, *videos)
    newest_first = sorted(
        (v for v in videos if v.user_id == "u1" and not v.is_deleted), key=lambda v: (v.created_at, v.id)
    )
    newest_first.reverse()
    query = VideoQuery("u1")
    async with uow_factory() as uow:
        for offset, limit in [(1_001, 15), (1_015, 15), (1_020, 15), (1_029, 5), (1_030, 15), (1_100, 15), (990, 40)]:
            found = [v.id for v in await uow.videos.find(query, offset, limit)]
            assert found == [v.id for v in newest_first[offset : offset + limit]], (offset, limit)


async def test_search_matches_an_exact_id_or_a_case_insensitive_name_substring(uow_factory: UowFactory) -> None:
    await add_videos(
        uow_factory,
        video("abc", name="Holiday in ROME", created=1, source_type="upload"),
        video("def", name="rome by night", created=2, source_type="url"),
        video("ghi", name="100% pure_joy", created=3),
        video("jkl", name="100 percent purexjoy", created=4),
        video("rome", name="unrelated", user="u2"),
    )

    async def ids(search: str, source_type: str | None = None) -> list[str]:
        async with uow_factory() as uow:
            query = VideoQuery("u1", search, source_type)
            found = [v.id for v in await uow.videos.find(query, 0, 100)]
            assert await uow.videos.count(query) == len(found)
            return found

    assert await ids("Rome") == ["def", "abc"]
    assert await ids("rome", source_type="url") == ["def"]
    assert await ids("abc") == ["abc"]
    assert await ids("%") == ["ghi"]
    assert await ids("e_j") == ["ghi"]
    assert await ids("") == ["jkl", "ghi", "def", "abc"]
    assert await ids("", source_type="") == ["jkl", "ghi"]
    assert await ids("nothing like it") == []


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("été", ["ete-upper", "ete"]),  # accents are kept, case is not
        ("ÉTÉ", ["ete-upper", "ete"]),
        ("Été", ["ete-upper", "ete"]),
        ("ete", ["plain-ete"]),
        ("e\u0301te\u0301", ["ete-upper", "ete"]),  # decomposed: the same text after NFKC
        ("STRASSE", ["strasse"]),  # full case folding: ß is ss
        ("straße", ["strasse"]),
        ("ǅ", ["digraph"]),  # a title-case letter
        ("dış", ["dotless"]),  # the dotless ı is a letter of its own, not i
        ("DIŞ", []),
        ("dis", []),
        ("İstanbul", ["istanbul-dotted"]),  # İ folds to i + combining dot, not to i
        ("istanbul", ["istanbul-plain"]),
        ("🎬", ["emoji"]),
        ("🎬 CUT", ["emoji"]),
        ("ﬁlm", ["ligature"]),  # NFKC: the ligature is "fi"
        ("mb", ["square"]),  # NFKC: ㎆ is "MB"
        ("中文", ["chinese"]),
    ],
)
async def test_search_folds_non_ascii_names_alike_in_every_store(
    uow_factory: UowFactory, search: str, expected: list[str]
) -> None:
    """One folding rule (:func:`vod_core.search.fold_name`): NFKC, then full case folding, no locale."""
    names = {
        "ete": "Un été à Paris",
        "ete-upper": "RÉSUMÉ DE L'ÉTÉ",
        "plain-ete": "ete sans accent",
        "strasse": "Die Straße",
        "digraph": "ǄEMAL",
        "dotless": "Dış Mekan",
        "istanbul-dotted": "İstanbul",
        "istanbul-plain": "istanbul",
        "emoji": "Scene 🎬 cut",
        "ligature": "Film noir",
        "square": "㎆ test",
        "chinese": "中文视频",
    }
    await add_videos(
        uow_factory, *(video(f"x-{key}", name=name, created=n) for n, (key, name) in enumerate(names.items(), start=1))
    )
    async with uow_factory() as uow:
        query = VideoQuery("u1", search)
        found = [v.id for v in await uow.videos.find(query, 0, 100)]
        assert await uow.videos.count(query) == len(found)
    assert found == [f"x-{key}" for key in expected]


async def test_one_live_video_per_user_and_storage_id(uow_factory: UowFactory) -> None:
    await add_videos(uow_factory, video("v1", storage="s1"))
    async with uow_factory() as uow:
        with pytest.raises(UniqueViolation) as raised:
            await uow.videos.add(video("v2", storage="s1"))
    assert raised.value.constraint == LIVE_STORAGE_ID
    async with uow_factory() as uow:
        first = await uow.videos.get("v1")
        assert first is not None
        first.move_to(VideoStatus.DELETED, at(1))
        await uow.videos.update(first)
        await uow.videos.add(video("v2", storage="s1"))
        await uow.videos.add(video("v3", storage="s1", user="u2"))
        await uow.commit()
    async with uow_factory() as uow:
        assert [v.id for v in await uow.videos.get_many(["v1", "v2", "v3"])] == ["v1", "v2", "v3"]


async def test_the_count_follows_videos_added_deleted_and_of_other_users(uow_factory: UowFactory) -> None:
    await add_videos(uow_factory, video("v1"), video("v2"), video("v3"), video("x", user="u2"))
    async with uow_factory() as uow:
        for video_id in ("v1", "v2"):
            gone = await uow.videos.get(video_id)
            assert gone is not None
            gone.move_to(VideoStatus.DELETED, at(1))
            await uow.videos.update(gone)
        await uow.videos.add(video("v4", status=VideoStatus.DELETED))
        await uow.videos.add(video("v5", status=VideoStatus.READY))
        again = await uow.videos.get("v2")
        assert again is not None
        await uow.videos.update(again)  # unchanged status: still deleted, counted once
        assert await uow.videos.count(VideoQuery("u1")) == 2
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.videos.count(VideoQuery("u1")) == 2
        assert await uow.videos.count(VideoQuery("u2")) == 1
        assert await uow.videos.count(VideoQuery("nobody")) == 0
    async with uow_factory() as uow:
        await uow.videos.add(video("v6"))  # rolled back: not counted
    async with uow_factory() as uow:
        assert await uow.videos.count(VideoQuery("u1")) == 2


async def test_unfinished_videos_are_the_initial_and_uploading_ones(uow_factory: UowFactory) -> None:
    await add_videos(
        uow_factory,
        video("new"),
        video("up", status=VideoStatus.UPLOADING),
        video("ready", status=VideoStatus.READY),
        video("failed", status=VideoStatus.UPLOAD_FAILED),
        video("gone", status=VideoStatus.DELETED),
    )
    async with uow_factory() as uow:
        assert sorted(v.id for v in await uow.videos.list_unfinished()) == ["new", "up"]


# --- play sets ----------------------------------------------------------------------------------


async def test_play_sets_read_back_and_update(uow_factory: UowFactory) -> None:
    original = play_set(
        "p1", "v1", template=3, trans_progress=0.25, storage_id="s9", file_size=7, video_width=1280,
        hls_index='{"a":1}', failure_reason="transcode failed: no decodable picture",
    )  # fmt: skip
    async with uow_factory() as uow:
        await uow.play_sets.add(original)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.play_sets.get("p1") == original
        assert await uow.play_sets.get("nope") is None
        original.move_to(PlaySetStatus.TRANSCODING, at(3))
        assert original.report_progress(0.5, at(4))
        await uow.play_sets.update(original)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.play_sets.get("p1") == original


async def test_live_play_sets_of_videos_come_oldest_first_without_deleted_ones(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        await uow.play_sets.add(play_set("late", "v1", template=2, created=9))
        await uow.play_sets.add(play_set("early", "v1", template=1, created=1))
        await uow.play_sets.add(play_set("gone", "v1", template=3, status=PlaySetStatus.DELETED))
        await uow.play_sets.add(play_set("v2-one", "v2", template=1, created=5))
        await uow.play_sets.add(play_set("elsewhere", "v3", template=1))
        await uow.commit()
    async with uow_factory() as uow:
        found = await uow.play_sets.live_for_videos(["v1", "v2"])
        assert [p.id for p in found] == ["early", "v2-one", "late"]
        assert await uow.play_sets.live_for_videos([]) == []


async def test_one_live_play_set_per_video_and_template(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        await uow.play_sets.add(play_set("p1", "v1", template=1))
        await uow.play_sets.add(play_set("p2", "v1", template=2))
        await uow.play_sets.add(play_set("p3", "v2", template=1))
        await uow.commit()
    async with uow_factory() as uow:
        with pytest.raises(UniqueViolation) as raised:
            await uow.play_sets.add(play_set("p4", "v1", template=1))
    assert raised.value.constraint == LIVE_TEMPLATE
    async with uow_factory() as uow:
        old = await uow.play_sets.get("p1")
        assert old is not None
        old.move_to(PlaySetStatus.DELETED, at(1))
        await uow.play_sets.update(old)
        await uow.play_sets.add(play_set("p4", "v1", template=1, created=2))
        await uow.commit()
    async with uow_factory() as uow:
        assert [p.id for p in await uow.play_sets.live_for_videos(["v1"])] == ["p2", "p4"]


async def test_unfinished_play_sets_are_the_transient_ones(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        for n, status in enumerate(PlaySetStatus):
            await uow.play_sets.add(play_set(f"p{int(status)}", f"v{n}", status=status))
        await uow.commit()
    async with uow_factory() as uow:
        assert sorted(p.id for p in await uow.play_sets.list_unfinished()) == ["p0", "p2", "p3", "p5"]


# --- stored files -------------------------------------------------------------------------------


async def test_files_read_back_update_and_list_per_video(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        await uow.files.add(stored("f1"))
        await uow.files.add(stored("f2", video_id="v1"))
        await uow.files.add(stored("f3", video_id="v1", deleted=True))
        await uow.files.add(stored("f4", video_id="v2"))
        await uow.commit()
    async with uow_factory() as uow:
        first = await uow.files.get("f1")
        assert first == stored("f1")
        assert await uow.files.get("f3") == stored("f3", video_id="v1", deleted=True)
        assert await uow.files.get("nope") is None
        assert first is not None
        first.video_id = "v1"
        await uow.files.update(first)
        await uow.commit()
    async with uow_factory() as uow:
        assert sorted(f.id for f in await uow.files.live_for_video("v1")) == ["f1", "f2"]
        await uow.files.mark_deleted(["f2", "f4", "nope"])
        await uow.files.mark_deleted([])
        await uow.commit()
    async with uow_factory() as uow:
        assert [f.id for f in await uow.files.live_for_video("v1")] == ["f1"]
        deleted = await uow.files.get("f4")
        assert deleted is not None and deleted.deleted


async def test_a_file_reads_with_its_video_in_one_call(
    uow_factory: UowFactory, read_uow_factory: ReadUowFactory
) -> None:
    ready = video("v1", status=VideoStatus.READY, shared_state=SharedState.PRIVATE, video_width=640)
    async with uow_factory() as uow:
        await uow.videos.add(ready)
        await uow.files.add(stored("linked", video_id="v1"))
        await uow.files.add(stored("unlinked"))
        await uow.files.add(stored("orphan", video_id="no-such-video", deleted=True))
        await uow.commit()
    async with read_uow_factory() as uow:
        linked = await uow.files.get_with_video("linked")
        unlinked = await uow.files.get_with_video("unlinked")
        orphan = await uow.files.get_with_video("orphan")
        missing = await uow.files.get_with_video("nope")
    assert linked == FileWithVideo(stored("linked", video_id="v1"), ready)
    assert unlinked == FileWithVideo(stored("unlinked"), None)
    assert orphan == FileWithVideo(stored("orphan", video_id="no-such-video", deleted=True), None)
    assert missing is None


async def test_size_sum_counts_live_files_of_the_users_live_videos(uow_factory: UowFactory) -> None:
    await add_videos(uow_factory, video("live"), video("gone", status=VideoStatus.DELETED), video("theirs", user="u2"))
    async with uow_factory() as uow:
        await uow.files.add(stored("original", video_id="live", size=1000))
        await uow.files.add(stored("cover", video_id="live", size=20))
        await uow.files.add(stored("old-cover", video_id="live", size=300, deleted=True))
        await uow.files.add(stored("of-deleted", video_id="gone", size=4000))
        await uow.files.add(stored("unlinked", size=50000))
        await uow.files.add(stored("foreign", user="u2", video_id="theirs", size=600000))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.files.linked_size_sum("u1") == 1020
        assert await uow.files.linked_size_sum("nobody") == 0


# --- users, settings ----------------------------------------------------------------------------


async def test_users_are_found_by_id_name_and_api_key(uow_factory: UowFactory) -> None:
    alice = User("u1", "alice", T0)
    async with uow_factory() as uow:
        assert await uow.users.count() == 0
        await uow.users.add(alice)
        await uow.users.add(User("u2", "bob", T0))
        await uow.users.add_api_key(ApiKey("hash-1", "u1", T0))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.users.get("u1") == alice
        assert await uow.users.get_by_name("alice") == alice
        assert await uow.users.get_by_name("Alice") is None
        assert await uow.users.count() == 2
        assert await uow.users.user_for_key_hash("hash-1") == alice
        assert await uow.users.user_for_key_hash("hash-2") is None
        with pytest.raises(UniqueViolation) as raised:
            await uow.users.add(User("u3", "alice", T0))
    assert raised.value.constraint == USER_NAME


async def test_settings_are_saved_whole_and_overwritten(uow_factory: UowFactory) -> None:
    first = UserSettings("u1", "secret", [1, 3], {EventCategory.VIDEO: "https://example.com/hook"})
    async with uow_factory() as uow:
        assert await uow.settings.get("u1") is None
        await uow.settings.save(first)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.settings.get("u1") == first
        second = UserSettings("u1", "secret", [], {EventCategory.TRANSCODING: "https://example.com/t"})
        await uow.settings.save(second)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.settings.get("u1") == second


# --- outbox -------------------------------------------------------------------------------------


def event(event_id: str, *, created: float, due: float, user: str = "u1", **kw: object) -> OutboxEvent:
    payload = {"event_type": "video_ready", "video_id": event_id, "video_name": "名", "play_set": [{"file_size": 1}]}
    return OutboxEvent(event_id, user, "video_ready", payload, at(created), at(due), **kw)  # type: ignore[arg-type]


async def test_outbox_hands_out_due_pending_events_oldest_first(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        await uow.outbox.add(event("later", created=2, due=100))
        await uow.outbox.add(event("second", created=2, due=5))
        await uow.outbox.add(event("first", created=1, due=10))
        await uow.outbox.add(event("third", created=3, due=0))
        await uow.outbox.add(event("done", created=0, due=0, state=DeliveryState.DELIVERED, delivered_at=at(1)))
        await uow.commit()
    async with uow_factory() as uow:
        due = await uow.outbox.due(at(50), limit=10)
        assert [e.id for e in due] == ["first", "second", "third"]
        assert due[0] == event("first", created=1, due=10)
        assert [e.id for e in await uow.outbox.due(at(50), limit=2)] == ["first", "second"]


async def test_outbox_updates_and_lists_dead_events_newest_first(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        for n in range(3):
            await uow.outbox.add(event(f"e{n}", created=n, due=0))
        await uow.outbox.add(event("theirs", created=9, due=0, user="u2", state=DeliveryState.DEAD))
        await uow.commit()
    async with uow_factory() as uow:
        for event_id in ("e0", "e2"):
            (dead,) = [e for e in await uow.outbox.due(at(1000), 10) if e.id == event_id]
            dead.state, dead.attempts, dead.last_error = DeliveryState.DEAD, 30, "HTTP 500"
            await uow.outbox.update(dead)
        await uow.commit()
    async with uow_factory() as uow:
        dead_events = await uow.outbox.dead("u1")
        assert [e.id for e in dead_events] == ["e2", "e0"]
        assert (dead_events[0].attempts, dead_events[0].last_error) == (30, "HTTP 500")
        assert [e.id for e in await uow.outbox.due(at(1000), 10)] == ["e1"]


# --- unit of work -------------------------------------------------------------------------------


async def test_rolls_back_uncommitted_work_by_default(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        await uow.videos.add(video("v1"))
        await uow.users.add(User("u1", "alice", T0))
    async with uow_factory() as uow:
        assert await uow.videos.get("v1") is None
        assert await uow.users.count() == 0


async def test_rolls_back_when_the_block_raises(uow_factory: UowFactory) -> None:
    async def failing_use_case() -> None:
        async with uow_factory() as uow:
            await uow.videos.add(video("v1"))
            raise RuntimeError("use case failed")

    with pytest.raises(RuntimeError):
        await failing_use_case()
    async with uow_factory() as uow:
        assert await uow.videos.get("v1") is None


async def test_sees_its_own_writes_before_commit(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        await uow.videos.add(video("v1"))
        assert await uow.videos.count(VideoQuery("u1")) == 1
