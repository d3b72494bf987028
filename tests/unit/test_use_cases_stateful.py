"""Random operation sequences over the use cases never reach a state the contract forbids.

Two users upload, create, process, transcode (step by step, interleaved with
everything else), share, rename, re-cover and delete videos. After every step
the committed state is checked against the invariants of API.md.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Coroutine
from typing import Any, TypeVar

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from adapters.memory import MemoryBackend, MemoryJobQueue
from adapters.memory.database import MemoryDatabase
from adapters.memory.fake_media import fake_video_bytes
from entrypoints.bootstrap import bootstrap
from entrypoints.config import Config
from tests.support.clock import SteppingClock
from tests.support.loop import until
from tests.support.stepped_transcoder import SteppedTranscoder
from vod_core.errors import (
    AccessDenied,
    AlreadyInLibrary,
    InvalidParameter,
    NotFound,
    TranscodeExists,
    UnusableFile,
    VideoNotReady,
    VideoUploadFailed,
    VodError,
)
from vod_core.guesses import GuessPolicy
from vod_core.play_set import PLAY_SET_TRANSITIONS, PlaySet, PlaySetStatus
from vod_core.ports.jobs import JobKind
from vod_core.services.validation import Page
from vod_core.video import VIDEO_TRANSITIONS, SharedState, Video, VideoStatus

T = TypeVar("T")


def reachable(transitions: dict[Any, frozenset[Any]], start: Any) -> set[Any]:
    """Every status reachable from ``start`` along allowed transitions (itself included)."""
    seen, todo = {start}, [start]
    while todo:
        for nxt in transitions[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


VIDEO_REACH = {s: reachable(VIDEO_TRANSITIONS, s) for s in VideoStatus}
PLAY_SET_REACH = {s: reachable(PLAY_SET_TRANSITIONS, s) for s in PlaySetStatus}

users = st.sampled_from(["alice", "bob"])
templates = st.sampled_from([1, 2, 3, 4, 5])
picks = st.integers(min_value=0, max_value=10_000)


async def outcome(coro: Awaitable[T]) -> T | VodError:
    try:
        return await coro
    except VodError as exc:
        return exc


class VodMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.transcoder = SteppedTranscoder()
        self.db = MemoryDatabase()
        clock = SteppingClock()
        self.jobs = MemoryJobQueue()
        self.vod = bootstrap(
            Config.in_memory(),
            database=MemoryBackend(self.db),
            jobs=self.jobs,
            clock=clock,
            transcoder=self.transcoder,
            # Throttling wrong share passwords is tested on its own; here it would hide the rule.
            guess_policy=GuessPolicy(free=10**9),
        ).vod
        self.user_ids: dict[str, str] = {}
        self.uploads: list[tuple[str, str]] = []  # (user name, storage id)
        self.videos: list[tuple[str, str]] = []  # (user name, video id)
        self.running: dict[int, asyncio.Task[None]] = {}  # id(channel) -> its job
        self.seen_video_status: dict[str, VideoStatus] = {}
        self.seen_play_sets: dict[str, tuple[PlaySetStatus, float]] = {}

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coro)

    def teardown(self) -> None:
        for task in self.running.values():
            task.cancel()
        if self.running:
            self.run(asyncio.wait(self.running.values()))
        self.loop.close()

    # -- state as committed ---------------------------------------------------------------

    def table(self, name: str) -> dict[Any, Any]:
        return self.db.tables.get(name, {})

    def db_videos(self) -> dict[str, Video]:
        return self.table("videos")

    def db_play_sets(self) -> dict[str, PlaySet]:
        return self.table("play_sets")

    def pick(self, items: list[T], index: int) -> T:
        return items[index % len(items)]

    # -- rules ------------------------------------------------------------------------------

    @initialize()
    def create_users(self) -> None:
        for name in ("alice", "bob"):
            user, _ = self.run(self.vod.users.create_user(name))
            self.user_ids[name] = user.id

    @rule(user=users, usable=st.booleans())
    def upload(self, user: str, usable: bool) -> None:
        data = fake_video_bytes(1920, 1080) if usable else b"definitely not a video"

        async def chunks() -> Any:
            yield data

        stored = self.run(self.vod.uploads.upload(self.user_ids[user], "clip.mp4", chunks()))
        self.uploads.append((user, stored.id))

    @rule(user=users)
    def upload_create_and_process(self, user: str) -> None:
        """The common path in one step, so that sequences reach transcoding often."""
        self.upload(user, usable=True)
        self.create_video(user, len(self.uploads) - 1, skip_auto=False)
        self.process_a_video(len(self.jobs.pending) - 1)

    @precondition(lambda self: self.uploads)
    @rule(user=users, index=picks, skip_auto=st.booleans())
    def create_video(self, user: str, index: int, skip_auto: bool) -> None:
        owner, storage_id = self.pick(self.uploads, index)
        used = {v.storage_id for v in self.db_videos().values() if not v.is_deleted}
        stored = self.table("files")[storage_id]
        result = self.run(
            outcome(self.vod.videos.create_video(self.user_ids[user], storage_id, skip_auto_trans=skip_auto))
        )
        if owner != user or stored.deleted:
            assert isinstance(result, NotFound)
        elif stored.video_id and self.db_videos()[stored.video_id].status == VideoStatus.UPLOAD_FAILED:
            assert isinstance(result, UnusableFile)
        elif storage_id in used or stored.video_id:
            assert isinstance(result, AlreadyInLibrary)
        else:
            assert isinstance(result, Video), result
            self.videos.append((user, result.id))

    @precondition(lambda self: any(j.kind == JobKind.PROCESS_VIDEO for j in self.jobs.pending))
    @rule(index=picks)
    def process_a_video(self, index: int) -> None:
        jobs = [j for j in self.jobs.pending if j.kind == JobKind.PROCESS_VIDEO]
        job = self.pick(jobs, index)
        self.jobs.pending.remove(job)
        self.run(self.vod.processing.handle(job))  # its follow-ups land in self.jobs.pending

    @precondition(lambda self: any(j.kind == JobKind.TRANSCODE for j in self.jobs.pending))
    @rule(index=picks)
    def start_transcode_job(self, index: int) -> None:
        jobs = [j for j in self.jobs.pending if j.kind == JobKind.TRANSCODE]
        job = self.pick(jobs, index)
        self.jobs.pending.remove(job)
        before = len(self.transcoder.channels)
        task = self.loop.create_task(self.vod.processing.handle(job))
        self.run(until(lambda: task.done() or len(self.transcoder.channels) > before))
        if not task.done():
            self.running[id(self.transcoder.channels[-1])] = task

    @precondition(lambda self: self.transcoder.channels)
    @rule(index=picks, command=st.sampled_from(["step", "step", "step", "fail", "finish"]))
    def drive_transcode(self, index: int, command: str) -> None:
        channel = self.pick(self.transcoder.channels, index)
        task = self.running[id(channel)]
        self.run(until(channel.waiting.is_set))
        channel.waiting.clear()
        channel.commands.put_nowait(command)
        self.run(until(lambda: task.done() or channel.waiting.is_set()))
        if task.done():
            del self.running[id(channel)]
            task.result()  # re-raises what the job raised, if anything
        event(f"transcode {command}")

    @precondition(lambda self: self.videos)
    @rule(user=users, index=picks, template=templates, redo=st.booleans())
    def start_transcode(self, user: str, index: int, template: int, redo: bool) -> None:
        owner, video_id = self.pick(self.videos, index)
        video = self.db_videos()[video_id]
        live = [
            p
            for p in self.db_play_sets().values()
            if p.video_id == video_id and p.is_live and p.template_id == template
        ]
        result = self.run(outcome(self.vod.transcoding.start_transcode(self.user_ids[user], video_id, template, redo)))
        event(f"trans -> {type(result).__name__}")
        if owner != user or video.is_deleted:
            assert isinstance(result, NotFound)
        elif video.status in (VideoStatus.INITIAL, VideoStatus.UPLOADING):
            assert isinstance(result, VideoNotReady)
        elif video.status == VideoStatus.UPLOAD_FAILED:
            assert isinstance(result, VideoUploadFailed)
        elif live and not redo:
            assert isinstance(result, TranscodeExists)
        else:
            assert isinstance(result, PlaySet), result
            for old in live:
                assert self.db_play_sets()[old.id].status == PlaySetStatus.DELETED

    @precondition(lambda self: self.videos)
    @rule(user=users, index=picks)
    def delete_video(self, user: str, index: int) -> None:
        owner, video_id = self.pick(self.videos, index)
        before = self.db_videos()[video_id]
        result = self.run(outcome(self.vod.videos.delete_video(self.user_ids[user], video_id)))
        if owner != user:
            assert isinstance(result, NotFound)
            assert self.db_videos()[video_id].status == before.status
        else:
            assert result is None
            assert self.db_videos()[video_id].status == VideoStatus.DELETED

    @precondition(lambda self: self.videos)
    @rule(user=users, indexes=st.lists(picks, min_size=1, max_size=4))
    def delete_videos(self, user: str, indexes: list[int]) -> None:
        chosen = [self.pick(self.videos, i) for i in indexes]
        before = {vid: v.status for vid, v in self.db_videos().items()}
        result = self.run(outcome(self.vod.videos.delete_videos(self.user_ids[user], [vid for _, vid in chosen])))
        after = {vid: v.status for vid, v in self.db_videos().items()}
        if any(owner != user for owner, _ in chosen):
            assert isinstance(result, NotFound)
            assert after == before
        else:
            assert result is None
            assert all(after[vid] == VideoStatus.DELETED for _, vid in chosen)

    @precondition(lambda self: self.videos)
    @rule(user=users, index=picks, state=st.integers(-1, 3), password=st.text(max_size=18))
    def share(self, user: str, index: int, state: int, password: str) -> None:
        owner, video_id = self.pick(self.videos, index)
        before = self.db_videos()[video_id]
        result = self.run(outcome(self.vod.sharing.set_video_password(self.user_ids[user], video_id, state, password)))
        unstorable = any((ord(c) < 32 and c != "\t") or c == "\x7f" or "\ud800" <= c <= "\udfff" for c in password)
        invalid = state not in (0, 1, 2) or len(password) > 16 or (state == 1 and not password) or unstorable
        if invalid:
            assert isinstance(result, InvalidParameter)
        elif owner != user or before.is_deleted:
            assert isinstance(result, NotFound)
        else:
            assert result is None
            after = self.db_videos()[video_id]
            assert (after.shared_state, after.share_password) == (state, password)
        if invalid or owner != user or before.is_deleted:
            after = self.db_videos()[video_id]
            assert (after.shared_state, after.share_password) == (before.shared_state, before.share_password)

    @precondition(lambda self: self.videos)
    @rule(index=picks, guess=st.sampled_from(["", "right", "wrong"]))
    def read_shared(self, index: int, guess: str) -> None:
        _, video_id = self.pick(self.videos, index)
        video = self.db_videos()[video_id]
        password = video.share_password if guess == "right" else guess
        result = self.run(outcome(self.vod.sharing.get_shared_video(video_id, password)))
        if video.is_deleted:
            assert isinstance(result, NotFound)
        elif video.shared_state == SharedState.PUBLIC or (
            video.shared_state == SharedState.PASSWORD and password == video.share_password
        ):
            assert not isinstance(result, VodError), result
            assert result.video.id == video_id
        else:
            assert isinstance(result, AccessDenied)

    @precondition(lambda self: self.videos)
    @rule(user=users, index=picks, name=st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=20))
    def rename(self, user: str, index: int, name: str) -> None:
        owner, video_id = self.pick(self.videos, index)
        before = self.db_videos()[video_id]
        result = self.run(outcome(self.vod.videos.update_video(self.user_ids[user], video_id, video_name=name)))
        after = self.db_videos()[video_id]
        if owner != user or before.is_deleted:
            assert isinstance(result, NotFound)
            assert after.video_name == before.video_name
        else:
            assert result is None
            assert after.video_name == name

    @precondition(lambda self: self.videos and self.uploads)
    @rule(user=users, index=picks, cover=picks)
    def set_cover(self, user: str, index: int, cover: int) -> None:
        owner, video_id = self.pick(self.videos, index)
        cover_owner, cover_id = self.pick(self.uploads, cover)
        before = self.db_videos()[video_id]
        result = self.run(
            outcome(self.vod.videos.update_video(self.user_ids[user], video_id, thumb_storage_id=cover_id))
        )
        after = self.db_videos()[video_id]
        if result is None:
            assert owner == user and cover_owner == user and after.thumb_storage_id == cover_id
        else:
            assert isinstance(result, NotFound | InvalidParameter)
            assert after.thumb_storage_id == before.thumb_storage_id

    @rule(user=users, chosen=st.lists(templates, max_size=3))
    def configure_auto_transcode(self, user: str, chosen: list[int]) -> None:
        saved = self.run(self.vod.preferences.save_trans_config(self.user_ids[user], chosen))
        assert saved == list(dict.fromkeys(chosen))

    # -- invariants -------------------------------------------------------------------------

    @invariant()
    def statuses_move_only_along_allowed_transitions(self) -> None:
        for video_id, video in self.db_videos().items():
            previous = self.seen_video_status.get(video_id, VideoStatus.INITIAL)
            assert video.status in VIDEO_REACH[previous], (previous, video.status)
            self.seen_video_status[video_id] = video.status
        for play_set_id, play_set in self.db_play_sets().items():
            before, progress = self.seen_play_sets.get(play_set_id, (PlaySetStatus.INITIAL, 0.0))
            assert play_set.status in PLAY_SET_REACH[before], (before, play_set.status)
            assert play_set.trans_progress >= progress, "progress went backwards"
            self.seen_play_sets[play_set_id] = (play_set.status, play_set.trans_progress)

    @invariant()
    def progress_is_one_exactly_when_ready(self) -> None:
        for play_set in self.db_play_sets().values():
            assert 0.0 <= play_set.trans_progress <= 1.0
            assert (play_set.trans_progress == 1.0) == (play_set.status == PlaySetStatus.READY) or (
                play_set.status == PlaySetStatus.DELETED
            )

    @invariant()
    def count_ready_play_sets(self) -> None:
        if any(p.status == PlaySetStatus.READY for p in self.db_play_sets().values()):
            event("a play set became ready")

    @invariant()
    def deleted_videos_have_only_deleted_play_sets(self) -> None:
        videos = self.db_videos()
        for play_set in self.db_play_sets().values():
            if videos[play_set.video_id].is_deleted:
                assert play_set.status == PlaySetStatus.DELETED

    @invariant()
    def at_most_one_live_play_set_per_template(self) -> None:
        live = [(p.video_id, p.template_id) for p in self.db_play_sets().values() if p.is_live]
        assert len(live) == len(set(live))

    @invariant()
    def size_sum_is_the_sum_of_live_sizes(self) -> None:
        files = self.table("files")
        for name, user_id in self.user_ids.items():
            live = [v for v in self.db_videos().values() if v.user_id == user_id and not v.is_deleted]
            expected = sum(v.file_size if v.status == VideoStatus.READY else files[v.storage_id].size for v in live)
            expected += sum(files[v.thumb_storage_id].size for v in live if v.thumb_storage_id)
            live_ids = {v.id for v in live}
            expected += sum(p.file_size for p in self.db_play_sets().values() if p.is_live and p.video_id in live_ids)
            # Uploads no video uses count while they exist (the clock never reaches VOD_UNLINKED_TTL here).
            expected += sum(f.size for f in files.values() if f.user_id == user_id and not f.video_id and not f.deleted)
            assert self.run(self.vod.videos.size_sum(user_id)) == expected, name

    @invariant()
    def users_see_only_their_own_videos(self) -> None:
        for name, user_id in self.user_ids.items():
            listed = self.run(self.vod.videos.list_videos(user_id, Page(1, 100)))
            own = {vid for owner, vid in self.videos if owner == name}
            assert {d.video.id for d in listed.videos} <= own
            for owner, video_id in self.videos:
                if owner != name:
                    assert isinstance(self.run(outcome(self.vod.videos.get_video(user_id, video_id))), NotFound)


TestVodStateMachine = VodMachine.TestCase
TestVodStateMachine.settings = settings(
    max_examples=150, stateful_step_count=50, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
