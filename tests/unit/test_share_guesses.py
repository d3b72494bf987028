"""Wrong share passwords slow down the client guessing, per video, and nobody else (issue 11, item 6).

The count lives in the database: a restarted process, or a second one on
the same database, keeps making the guesser wait. Time is a clock the test
moves; nothing sleeps.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.memory import MemoryBackend, MemoryJobQueue
from adapters.memory.database import MemoryDatabase
from adapters.memory.fake_media import FakeProber, FakeThumbnailer, FakeTranscoder, fake_video_bytes
from entrypoints.bootstrap import Runtime, bootstrap
from entrypoints.config import Config
from tests.support.clock import SteppingClock
from tests.support.world import World
from vod_core import Vod
from vod_core.errors import AccessDenied, TooManyGuesses
from vod_core.guesses import GuessPolicy, client_key

ATTACKER, VIEWER = "203.0.113.7", "198.51.100.2"
POLICY = GuessPolicy()


async def body(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def shared_video(vod: Vod, password: str = "s3cret") -> str:
    user, _ = await vod.users.create_user("alice")
    stored = await vod.uploads.upload(user.id, "clip.mp4", body(fake_video_bytes()))
    video = await vod.videos.create_video(user.id, stored.id, skip_auto_trans=True)
    await vod.sharing.set_video_password(user.id, video.id, 1, password)
    return video.id


async def guess(vod: Vod, video_id: str, password: str, client: str) -> str:
    """``ok``, ``wrong`` or ``wait N``."""
    try:
        await vod.sharing.get_shared_video(video_id, password, client)
    except TooManyGuesses as exc:
        return f"wait {exc.retry_after_s}"
    except AccessDenied as exc:
        return "wrong" if exc.message == "wrong password" else f"denied: {exc.message}"
    return "ok"


async def test_the_guesser_waits_and_another_client_gets_in_at_once(world: World) -> None:
    video_id = await world.video(world.alice)
    other_id = await world.video(world.alice)
    for vid in (video_id, other_id):
        await world.vod.sharing.set_video_password(world.alice, vid, 1, "s3cret")
    assert [await guess(world.vod, video_id, "guess", ATTACKER) for _ in range(5)] == ["wrong"] * 5
    assert await guess(world.vod, video_id, "s3cret", ATTACKER) == "wait 1"
    assert await guess(world.vod, video_id, "s3cret", VIEWER) == "ok"
    assert await guess(world.vod, other_id, "s3cret", ATTACKER) == "ok"
    world.clock.advance(timedelta(seconds=1))
    assert await guess(world.vod, video_id, "s3cret", ATTACKER) == "ok"
    # The right password cleared the count: five free guesses again.
    assert [await guess(world.vod, video_id, "guess", ATTACKER) for _ in range(5)] == ["wrong"] * 5


async def test_the_wait_doubles_up_to_the_cap_and_the_count_is_forgotten_after_a_day(world: World) -> None:
    video_id = await world.video(world.alice)
    await world.vod.sharing.set_video_password(world.alice, video_id, 1, "s3cret")
    waits = []
    for _ in range(16):
        outcome = await guess(world.vod, video_id, "guess", ATTACKER)
        while outcome.startswith("wait"):
            waits.append(int(outcome.split()[1]))
            world.clock.advance(timedelta(seconds=waits[-1]))
            outcome = await guess(world.vod, video_id, "guess", ATTACKER)
        assert outcome == "wrong"
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900]
    world.clock.advance(POLICY.forget_after)
    assert [await guess(world.vod, video_id, "guess", ATTACKER) for _ in range(5)] == ["wrong"] * 5


async def test_a_throttled_guess_is_refused_without_looking_at_the_password(world: World) -> None:
    video_id = await world.video(world.alice)
    await world.vod.sharing.set_video_password(world.alice, video_id, 1, "s3cret")
    for _ in range(5):
        await guess(world.vod, video_id, "guess", ATTACKER)
    assert await guess(world.vod, video_id, "s3cret", ATTACKER) == "wait 1"
    assert await guess(world.vod, video_id, "guess", ATTACKER) == "wait 1"  # neither judged nor counted


async def test_a_burst_of_parallel_guesses_is_judged_one_at_a_time(world: World) -> None:
    video_id = await world.video(world.alice)
    await world.vod.sharing.set_video_password(world.alice, video_id, 1, "s3cret")
    outcomes = await asyncio.gather(*(guess(world.vod, video_id, "guess", ATTACKER) for _ in range(20)))
    assert outcomes.count("wrong") == POLICY.free
    assert outcomes.count("wait 1") == 20 - POLICY.free
    assert len(world.vod.sharing._turns) == 0  # no lock left behind


def test_clients_are_addresses_and_ipv6_networks() -> None:
    assert client_key("203.0.113.7") == "203.0.113.7"
    assert client_key("2001:db8:1:2:3:4:5:6") == client_key("[2001:db8:1:2:ffff::1]") == "2001:db8:1:2::/64"
    assert client_key("::ffff:203.0.113.7") == "203.0.113.7"
    assert client_key("") == "unknown"
    assert len(client_key("x" * 500)) == 64
    assert client_key("evil\x00proxy\u00e9") == "evilproxy"


def fake_media() -> dict[str, object]:
    return {"prober": FakeProber(), "thumbnailer": FakeThumbnailer(), "transcoder": FakeTranscoder()}


def runtime_on(config: Config, clock: SteppingClock, **overrides: object) -> Runtime:
    return bootstrap(config, jobs=MemoryJobQueue(), clock=clock, **fake_media(), **overrides)  # type: ignore[arg-type]


async def test_a_restarted_process_on_the_same_sqlite_database_keeps_the_wait(tmp_path: Path) -> None:
    config, clock = Config(data_dir=str(tmp_path)), SteppingClock()
    async with runtime_on(config, clock) as first:
        video_id = await shared_video(first.vod)
        assert [await guess(first.vod, video_id, "guess", ATTACKER) for _ in range(5)] == ["wrong"] * 5
        clock.advance(timedelta(seconds=1))
        assert await guess(first.vod, video_id, "guess", ATTACKER) == "wrong"
    async with runtime_on(config, clock) as second, runtime_on(config, clock) as third:
        assert await guess(second.vod, video_id, "s3cret", ATTACKER) == "wait 2"
        assert await guess(third.vod, video_id, "s3cret", ATTACKER) == "wait 2"  # a second process sees it too
        assert await guess(third.vod, video_id, "s3cret", VIEWER) == "ok"


async def test_two_processes_on_one_database_count_each_others_guesses() -> None:
    db, clock = MemoryDatabase(), SteppingClock()
    one = runtime_on(Config.in_memory(), clock, database=MemoryBackend(db)).vod
    two = runtime_on(Config.in_memory(), clock, database=MemoryBackend(db)).vod
    video_id = await shared_video(one)
    for vod in (one, two, one, two, one):
        assert await guess(vod, video_id, "guess", ATTACKER) == "wrong"
    assert await guess(two, video_id, "s3cret", ATTACKER) == "wait 1"


async def test_old_records_are_removed_by_maintenance(world: World) -> None:
    video_id = await world.video(world.alice)
    await world.vod.sharing.set_video_password(world.alice, video_id, 1, "s3cret")
    await guess(world.vod, video_id, "guess", ATTACKER)
    assert await world.vod.sharing.forget_stale_guesses() == 0
    world.clock.advance(POLICY.forget_after)
    await guess(world.vod, video_id, "guess", VIEWER)
    assert await world.vod.sharing.forget_stale_guesses() == 1  # the attacker's; the viewer's is fresh


CLIENTS = st.sampled_from(["203.0.113.1", "203.0.113.2", "2001:db8::1"])
STEPS = st.lists(st.tuples(CLIENTS, st.booleans(), st.integers(0, 40)), max_size=40)


@settings(max_examples=60, deadline=None)
@given(steps=STEPS)
def test_any_sequence_of_guesses_follows_the_policy_per_client(steps: list[tuple[str, bool, int]]) -> None:
    """A reference model of the policy, one per client: what one client does never changes another's answers."""
    asyncio.run(_run_sequence(steps))


async def _run_sequence(steps: list[tuple[str, bool, int]]) -> None:
    clock = SteppingClock(tick=timedelta(0))
    vod = runtime_on(Config.in_memory(), clock).vod
    video_id = await shared_video(vod)
    failures: dict[str, int] = {}
    allowed_at: dict[str, float] = {}
    now = 0.0
    for client, right, wait in steps:
        clock.advance(timedelta(seconds=wait))
        now += wait
        outcome = await guess(vod, video_id, "s3cret" if right else "guess", client)
        if now < allowed_at.get(client, 0.0):
            expected = f"wait {int(-(-(allowed_at[client] - now) // 1))}"
        elif right:
            expected = "ok"
            failures.pop(client, None)
            allowed_at.pop(client, None)
        else:
            expected = "wrong"
            failures[client] = failures.get(client, 0) + 1
            allowed_at[client] = now + POLICY.delay(failures[client]).total_seconds()
        assert outcome == expected, (client, right, now)


@pytest.mark.parametrize("password", ["", "nope"])
async def test_a_video_that_is_not_password_shared_is_never_throttled(world: World, password: str) -> None:
    video_id = await world.video(world.alice)
    await world.vod.sharing.set_video_password(world.alice, video_id, 2)
    for _ in range(10):
        assert await guess(world.vod, video_id, password, ATTACKER) == "ok"
