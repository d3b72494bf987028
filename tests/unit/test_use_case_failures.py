"""Each use case reports a store outage with the contract code it declares, and changes nothing.

The store is the in-memory one behind a fault-injecting unit of work: from a
chosen call on, every store call (begin, repository method, commit) raises
:class:`StorageUnavailable`, as a real adapter does when its database goes away.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any

import pytest

from adapters.memory.database import MemoryDatabase
from adapters.memory.fake_media import fake_video_bytes
from adapters.memory.jobs import MemoryJobQueue
from adapters.memory.unit_of_work import MemoryUnitOfWork
from entrypoints.bootstrap import bootstrap
from entrypoints.config import Config
from tests.support.clock import SteppingClock
from tests.support.units import Units
from vod_core import Vod
from vod_core.errors import (
    CheckStorageIdFailed,
    DeleteTransConfigFailed,
    DeleteVideoFailed,
    GetPlaySetFailed,
    GetTotalTrafficFailed,
    GetTransConfigFailed,
    GetUserTotalTrafficFailed,
    GetVideoFailed,
    InsertPlaySetFailed,
    InsertVideoFailed,
    InternalError,
    ListTotalTrafficFailed,
    ListUserDailyTrafficFailed,
    ListVideoFailed,
    NotFound,
    SaveTransConfigFailed,
    SizeSumFailed,
    StorageUnavailable,
    UpdatePlaySetFailed,
    UpdateVideoFailed,
)
from vod_core.ports.jobs import Job, JobKind
from vod_core.services.access import MediaAccess, MediaQuery
from vod_core.services.context import DEFAULT_ZONE
from vod_core.services.dead_events import DeadEvents
from vod_core.services.downloads import Downloads
from vod_core.services.failures import declared_failure, fails_as
from vod_core.services.health import Health
from vod_core.services.notifications import Notifications
from vod_core.services.orphans import OrphanObjects
from vod_core.services.playback import Playback
from vod_core.services.preferences import Preferences
from vod_core.services.processing import Processing
from vod_core.services.sessions import ConsoleSessions
from vod_core.services.sharing import Sharing
from vod_core.services.traffic import TrafficStats
from vod_core.services.transcoding import Transcoding
from vod_core.services.uploads import Uploads
from vod_core.services.users import UserAccounts
from vod_core.services.validation import Page
from vod_core.services.videos import VideoLibrary
from vod_core.traffic import TrafficRecord

REPOSITORIES = (
    "videos",
    "play_sets",
    "files",
    "users",
    "settings",
    "traffic",
    "outbox",
    "guesses",
    "service_keys",
    "sessions",
)
DAY_START = int(datetime(2026, 1, 1, tzinfo=DEFAULT_ZONE).timestamp())
DISPATCHERS = {"Processing.handle"}
"""Use cases that only pick another use case to run; the one they run declares the code."""


class Outage:
    """Counts store calls; once ``start()``-ed at call n, call n and every later one fail."""

    def __init__(self) -> None:
        self.calls = 0
        self.fail_from: int | None = None

    def start(self, after: int = 0) -> None:
        self.fail_from = self.calls + after

    def check(self) -> None:
        self.calls += 1
        if self.fail_from is not None and self.calls > self.fail_from:
            raise StorageUnavailable("injected outage")


class _FlakyRepository:
    def __init__(self, inner: object, outage: Outage) -> None:
        self._inner = inner
        self._outage = outage

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._inner, name)

        async def call(*args: Any, **kwargs: Any) -> Any:
            self._outage.check()
            return await method(*args, **kwargs)

        return call


class FlakyUnitOfWork:
    """The in-memory unit of work, with every store call going through ``outage`` first."""

    def __init__(self, inner: MemoryUnitOfWork, outage: Outage) -> None:
        self._inner = inner
        self._outage = outage

    async def __aenter__(self) -> FlakyUnitOfWork:
        self._outage.check()
        await self._inner.__aenter__()
        for name in REPOSITORIES:
            setattr(self, name, _FlakyRepository(getattr(self._inner, name), self._outage))
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._inner.__aexit__(exc_type, exc, tb)

    async def commit(self) -> None:
        self._outage.check()
        await self._inner.commit()


class AcceptingSender:
    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        return 200


async def chunks_of(data: bytes) -> AsyncIterator[bytes]:
    yield data


@dataclass
class World:
    vod: Vod
    notifications: Notifications
    jobs: MemoryJobQueue
    db: MemoryDatabase
    outage: Outage
    alice: str
    key: str
    ready_video: str
    new_video: str
    unused_file: str
    play_set: str
    ready_play_set: str


async def make_world() -> World:
    db, outage, jobs = MemoryDatabase(), Outage(), MemoryJobQueue()

    def flaky() -> FlakyUnitOfWork:
        return FlakyUnitOfWork(MemoryUnitOfWork(db), outage)

    units = Units(flaky, flaky)
    config = Config.in_memory(webhook_allow_private=True)
    vod = bootstrap(config, database=units, jobs=jobs, clock=SteppingClock()).vod
    alice, key = await vod.users.create_user("alice")
    await vod.preferences.set_callback(alice.id, "video", "http://127.0.0.1:9/hook")

    async def video() -> str:
        stored = await vod.uploads.upload(alice.id, "clip.mp4", chunks_of(fake_video_bytes()))
        return (await vod.videos.create_video(alice.id, stored.id)).id

    ready = await video()
    await jobs.drain(vod.processing.handle)
    await vod.sharing.set_video_password(alice.id, ready, 2)
    ready_play_set = await vod.transcoding.start_transcode(alice.id, ready, 3)
    await jobs.drain(vod.processing.handle)
    play_set = await vod.transcoding.start_transcode(alice.id, ready, 1)
    new = await video()
    unused = await vod.uploads.upload(alice.id, "cover.jpg", chunks_of(b"\xff\xd8jpeg"))
    await vod.traffic.ingest([TrafficRecord(ready, 100, 1_767_225_600)])
    notifications = Notifications(vod.ctx, AcceptingSender())
    return World(
        vod, notifications, jobs, db, outage, alice.id, key, ready, new, unused.id, play_set.id, ready_play_set.id
    )


async def drained(stream: AsyncIterator[Any]) -> list[Any]:
    return [item async for item in stream]


UseCase = Callable[[World], Awaitable[Any]]


async def _resolve_new_session(w: World) -> object:
    signed_in = await w.vod.sessions.sign_in(w.key)
    return await w.vod.sessions.resolve(signed_in.token)


CASES: dict[str, tuple[UseCase, type[InternalError]]] = {
    "UserAccounts.create_user": (lambda w: w.vod.users.create_user("carol"), InternalError),
    "UserAccounts.add_api_key": (lambda w: w.vod.users.add_api_key("alice"), InternalError),
    "UserAccounts.authenticate": (lambda w: w.vod.users.authenticate(w.key), InternalError),
    "UserAccounts.list_users": (lambda w: w.vod.users.list_users(), InternalError),
    "UserAccounts.rotate_key": (lambda w: w.vod.users.rotate_key("alice"), InternalError),
    "UserAccounts.disable_user": (lambda w: w.vod.users.disable_user("alice"), InternalError),
    "UserAccounts.ensure_default_user": (lambda w: w.vod.users.ensure_default_user(), InternalError),
    "ConsoleSessions.sign_in": (lambda w: w.vod.sessions.sign_in(w.key), InternalError),
    "ConsoleSessions.resolve": (lambda w: _resolve_new_session(w), InternalError),
    "ConsoleSessions.sign_out": (lambda w: w.vod.sessions.sign_out("token"), InternalError),
    "Uploads.upload": (lambda w: w.vod.uploads.upload(w.alice, "a.mp4", chunks_of(b"abc")), InternalError),
    "Uploads.get_file": (lambda w: w.vod.uploads.get_file(w.alice, w.unused_file), CheckStorageIdFailed),
    "Uploads.expire_unlinked": (lambda w: w.vod.uploads.expire_unlinked(), InternalError),
    "VideoLibrary.create_video": (lambda w: w.vod.videos.create_video(w.alice, w.unused_file), InsertVideoFailed),
    "VideoLibrary.get_video": (lambda w: w.vod.videos.get_video(w.alice, w.ready_video), GetVideoFailed),
    "VideoLibrary.list_videos": (lambda w: w.vod.videos.list_videos(w.alice, Page()), ListVideoFailed),
    "VideoLibrary.search_videos": (lambda w: w.vod.videos.search_videos(w.alice, Page(), "clip"), ListVideoFailed),
    "VideoLibrary.update_video": (
        lambda w: w.vod.videos.update_video(w.alice, w.ready_video, video_name="new"),
        UpdateVideoFailed,
    ),
    "VideoLibrary.delete_video": (lambda w: w.vod.videos.delete_video(w.alice, w.ready_video), DeleteVideoFailed),
    "VideoLibrary.delete_videos": (lambda w: w.vod.videos.delete_videos(w.alice, [w.ready_video]), DeleteVideoFailed),
    "VideoLibrary.size_sum": (lambda w: w.vod.videos.size_sum(w.alice), SizeSumFailed),
    "Sharing.set_video_password": (
        lambda w: w.vod.sharing.set_video_password(w.alice, w.ready_video, 2),
        UpdateVideoFailed,
    ),
    "Sharing.get_shared_video": (lambda w: w.vod.sharing.get_shared_video(w.ready_video), GetVideoFailed),
    "Sharing.watch": (lambda w: w.vod.sharing.watch(w.ready_video), GetVideoFailed),
    "Sharing.forget_stale_guesses": (lambda w: w.vod.sharing.forget_stale_guesses(), InternalError),
    "Transcoding.start_transcode": (
        lambda w: w.vod.transcoding.start_transcode(w.alice, w.ready_video, 2),
        InsertPlaySetFailed,
    ),
    "Preferences.get_settings": (lambda w: w.vod.preferences.get_settings(w.alice), InternalError),
    "Preferences.save_trans_config": (
        lambda w: w.vod.preferences.save_trans_config(w.alice, [1]),
        SaveTransConfigFailed,
    ),
    "Preferences.delete_trans_config": (
        lambda w: w.vod.preferences.delete_trans_config(w.alice),
        DeleteTransConfigFailed,
    ),
    "Preferences.get_trans_config": (lambda w: w.vod.preferences.get_trans_config(w.alice), GetTransConfigFailed),
    "Preferences.set_callback": (
        lambda w: w.vod.preferences.set_callback(w.alice, "transcoding", "http://127.0.0.1:9/t"),
        InternalError,
    ),
    "Preferences.delete_callback": (lambda w: w.vod.preferences.delete_callback(w.alice, "video"), InternalError),
    "Preferences.rotate_webhook_secret": (lambda w: w.vod.preferences.rotate_webhook_secret(w.alice), InternalError),
    "TrafficStats.ingest": (
        lambda w: w.vod.traffic.ingest([TrafficRecord(w.new_video, 5, 1_767_225_600)]),
        InternalError,
    ),
    "TrafficStats.list_video_statistic": (
        lambda w: w.vod.traffic.list_video_statistic(w.alice, w.ready_video, 1_767_225_000, 1_767_226_000),
        GetTotalTrafficFailed,
    ),
    "TrafficStats.list_video_total_summary": (
        lambda w: w.vod.traffic.list_video_total_summary(w.vod.traffic.totals_query(w.alice), Page()),
        ListTotalTrafficFailed,
    ),
    "TrafficStats.stream_video_total_summary": (
        lambda w: drained(w.vod.traffic.stream_video_total_summary(w.vod.traffic.totals_query(w.alice))),
        ListTotalTrafficFailed,
    ),
    "TrafficStats.list_user_video_day_summary": (
        lambda w: w.vod.traffic.list_user_video_day_summary(
            w.alice, *w.vod.traffic.day_range(DAY_START, DAY_START + 86_400)
        ),
        ListUserDailyTrafficFailed,
    ),
    "TrafficStats.get_user_video_total_summary": (
        lambda w: w.vod.traffic.get_user_video_total_summary(w.alice),
        GetUserTotalTrafficFailed,
    ),
    "Processing.unfinished": (lambda w: w.vod.processing.unfinished(), ListVideoFailed),
    "Processing.recover": (lambda w: w.vod.processing.recover(), ListVideoFailed),
    "Processing.give_up": (
        lambda w: w.vod.processing.give_up(Job(JobKind.PROCESS_VIDEO, w.new_video), "x"),
        UpdateVideoFailed,
    ),
    "Processing.process_video": (lambda w: w.vod.processing.process_video(w.new_video), UpdateVideoFailed),
    "Processing.transcode": (
        lambda w: w.vod.processing.transcode(w.ready_video, [w.play_set]),
        UpdatePlaySetFailed,
    ),
    "Notifications.deliver_due": (lambda w: w.notifications.deliver_due(), InternalError),
    "DeadEvents.of_user": (lambda w: w.vod.dead_events.of_user(w.alice), InternalError),
    "Health.check": (lambda w: w.vod.health.check(), InternalError),
    # A grace in the past of the world's clock: every object is old enough to be looked up.
    "OrphanObjects.collect": (lambda w: w.vod.orphans.collect(timedelta(days=-3650)), InternalError),
    "Downloads.open": (lambda w: w.vod.downloads.open(w.unused_file, MediaQuery(), w.alice), CheckStorageIdFailed),
    # A new MediaAccess: the world's has its key loaded already.
    "MediaAccess.signer": (lambda w: MediaAccess(w.vod.ctx).signer(), InternalError),
    "MediaAccess.grants": (lambda w: MediaAccess(w.vod.ctx).grants(), InternalError),
    "MediaAccess.video_media": (lambda w: w.vod.access.video_media(w.ready_video, MediaQuery()), InternalError),
    "Playback.master": (lambda w: w.vod.playback.master(w.ready_video, MediaQuery()), GetVideoFailed),
    "Playback.media": (
        lambda w: w.vod.playback.media(w.ready_video, w.ready_play_set, MediaQuery()),
        GetPlaySetFailed,
    ),
    "MediaAccess.stored_file": (
        lambda w: w.vod.access.stored_file(w.unused_file, MediaQuery(), w.alice),
        CheckStorageIdFailed,
    ),
}

SERVICES = (
    UserAccounts,
    ConsoleSessions,
    Uploads,
    VideoLibrary,
    Sharing,
    Transcoding,
    Preferences,
    TrafficStats,
    Processing,
    Notifications,
    DeadEvents,
    Downloads,
    Health,
    OrphanObjects,
    MediaAccess,
    Playback,
)


def public_use_cases() -> dict[str, Callable[..., Any]]:
    return {
        f"{service.__name__}.{name}": member
        for service in SERVICES
        for name, member in vars(service).items()
        if not name.startswith("_") and (inspect.iscoroutinefunction(member) or inspect.isasyncgenfunction(member))
    }


@pytest.fixture
async def world() -> World:
    return await make_world()


def committed(db: MemoryDatabase) -> dict[str, dict[Any, Any]]:
    return copy.deepcopy(db.tables)


def test_every_use_case_declares_the_code_it_fails_with() -> None:
    use_cases = public_use_cases()
    assert set(use_cases) - DISPATCHERS == set(CASES)
    for name in DISPATCHERS:
        assert declared_failure(use_cases[name]) is None
    for name, (_, failure) in CASES.items():
        assert declared_failure(use_cases[name]) is failure, name


def test_no_use_case_reports_a_video_key_description_code() -> None:
    """3141–3144 describe video keys; users and API keys are not them."""
    codes = {name: failure.code for name, (_, failure) in CASES.items()}
    assert not {name for name, code in codes.items() if 3141 <= code <= 3144}
    assert codes["UserAccounts.authenticate"] == 3100


@pytest.mark.parametrize("name", sorted(CASES))
async def test_an_outage_is_reported_with_the_declared_code_and_changes_nothing(world: World, name: str) -> None:
    use_case, failure = CASES[name]
    before = committed(world.db)
    world.outage.start()
    with pytest.raises(InternalError) as raised:
        await use_case(world)
    assert type(raised.value) is failure
    assert raised.value.code == failure.code
    assert isinstance(raised.value.__cause__, StorageUnavailable)
    assert "injected outage" not in raised.value.message  # the driver's story stays in the logs
    assert committed(world.db) == before


@pytest.mark.parametrize("name", sorted(CASES))
async def test_without_an_outage_every_case_runs(world: World, name: str) -> None:
    """The cases above fail because of the outage, not because they were wrong to begin with."""
    use_case, _ = CASES[name]
    await use_case(world)


WRITES = [  # use cases writing in one transaction
    "VideoLibrary.create_video",
    "VideoLibrary.update_video",
    "VideoLibrary.delete_videos",
    "Transcoding.start_transcode",
    "UserAccounts.create_user",
    "Preferences.delete_trans_config",
    "Sharing.set_video_password",
    "UserAccounts.rotate_key",
    "UserAccounts.disable_user",
    "ConsoleSessions.sign_in",
    "Preferences.rotate_webhook_secret",
]
MAX_STORE_CALLS = 50


@pytest.mark.parametrize("name", WRITES)
async def test_an_outage_at_any_point_of_a_write_is_all_or_nothing(name: str) -> None:
    """Whichever store call fails first (each in turn), the declared code comes back and nothing is committed."""
    use_case, failure = CASES[name]
    for after in range(MAX_STORE_CALLS):
        world = await make_world()
        before = committed(world.db)
        world.outage.start(after)
        try:
            await use_case(world)
        except InternalError as exc:
            error: InternalError | None = exc
        else:
            error = None
        if error is None:
            assert after > 0, "the use case must touch the store"
            return
        assert type(error) is failure and isinstance(error.__cause__, StorageUnavailable), after
        assert committed(world.db) == before, after
    pytest.fail(f"{name} still failed with {MAX_STORE_CALLS} store calls allowed")


async def test_the_outermost_use_case_names_the_failure(world: World) -> None:
    """``delete_trans_config`` saves an empty list, yet the caller asked to delete (3152, not 3151)."""
    world.outage.start()
    with pytest.raises(DeleteTransConfigFailed):
        await world.vod.preferences.delete_trans_config(world.alice)
    with pytest.raises(GetTransConfigFailed):
        await world.vod.preferences.get_trans_config(world.alice)


async def test_domain_errors_and_other_internal_errors_pass_through_unchanged() -> None:
    class Lookup:
        @fails_as(GetVideoFailed)
        async def missing(self) -> None:
            raise NotFound("video x not found")

        @fails_as(GetVideoFailed)
        async def declared_elsewhere(self) -> None:
            raise SizeSumFailed()

        @fails_as(ListVideoFailed)
        async def stream(self) -> AsyncIterator[int]:
            yield 1
            raise StorageUnavailable("gone mid-stream")

    with pytest.raises(NotFound):
        await Lookup().missing()
    with pytest.raises(SizeSumFailed) as raised:
        await Lookup().declared_elsewhere()
    assert raised.value.__cause__ is None
    seen: list[int] = []

    async def consume() -> None:
        async for item in Lookup().stream():
            seen.append(item)

    with pytest.raises(ListVideoFailed) as streamed:
        await consume()
    assert seen == [1] and isinstance(streamed.value.__cause__, StorageUnavailable)


def test_only_async_use_cases_can_declare() -> None:
    def sync_use_case() -> None:
        return None

    with pytest.raises(TypeError):
        fails_as(GetVideoFailed)(sync_use_case)  # type: ignore[call-overload]
