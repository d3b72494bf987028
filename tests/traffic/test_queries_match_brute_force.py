"""Every statistics query equals a brute-force recomputation from the raw records.

Random libraries (videos of several users, some deleted, some never watched)
get random records around service-zone midnights — the minute before and
after included — fed in random batches and random order, then every query
is compared with sums computed straight from the records. One store per
backend serves all examples; each example works under fresh ids.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.traffic.conftest import EPOCH, Store, open_store, store_url
from vod_core.search import matches_search
from vod_core.services import traffic as traffic_service
from vod_core.services.context import DEFAULT_ZONE
from vod_core.services.validation import Page
from vod_core.traffic import TrafficRecord

ZONE = ZoneInfo("Asia/Shanghai")
DAY = 86400
MIDNIGHT = int(datetime(2024, 3, 10, tzinfo=ZONE).timestamp())
NEAR_MIDNIGHT = [-61, -60, -59, -1, 0, 1, 59, 60, 61]


@dataclass(frozen=True)
class VideoSpec:
    user: int
    name: str
    deleted: bool


@dataclass(frozen=True)
class Library:
    videos: list[VideoSpec]
    records: list[tuple[int, int, int]]  # (video index, or -1 for an unknown video; bytes; ts)
    batch_sizes: list[int]


@st.composite
def timestamps(draw: st.DrawFn) -> int:
    midnight = MIDNIGHT + draw(st.integers(-1, 2)) * DAY
    offset = draw(st.one_of(st.sampled_from(NEAR_MIDNIGHT), st.integers(-DAY, DAY)))
    return midnight + offset


@st.composite
def libraries(draw: st.DrawFn) -> Library:
    videos = draw(
        st.lists(
            st.builds(
                VideoSpec,
                user=st.integers(0, 2),
                name=st.text(alphabet="abAB中 xéÉß", min_size=1, max_size=5),
                deleted=st.booleans(),
            ),
            min_size=1,
            max_size=7,
        )
    )
    records = draw(
        st.lists(
            st.tuples(st.integers(-1, len(videos) - 1), st.integers(0, 10**9), timestamps()),
            max_size=40,
        )
    )
    batch_sizes = draw(st.lists(st.integers(1, 10), min_size=1, max_size=5))
    return Library(videos, records, batch_sizes)


@dataclass(frozen=True)
class Window:
    start: int
    end: int


class World:
    """One example's library in the store, under ids no other example uses."""

    def __init__(self, library: Library) -> None:
        token = secrets.token_hex(4)
        self.users = [f"u{token}{n}" for n in range(3)]
        self.ids = [f"v{token}{n}" for n in range(len(library.videos))]
        self.library = library
        self.records = [
            TrafficRecord(self.ids[index] if index >= 0 else f"x{token}", size, ts)
            for index, size, ts in library.records
        ]

    def owner(self, video_id: str) -> str | None:
        if video_id not in self.ids:
            return None
        return self.users[self.library.videos[self.ids.index(video_id)].user]

    def counted(self) -> Iterator[tuple[str, str, int, int]]:
        """(video, owner, bytes, ts) of every record that counts."""
        for record in self.records:
            owner = self.owner(record.video_id)
            if owner is not None and record.bytes > 0:
                yield record.video_id, owner, record.bytes, record.ts

    def minutes(self, video_id: str, window: Window) -> list[tuple[int, int]]:
        first, last = window.start // 60 * 60, window.end // 60 * 60
        sums: dict[int, int] = {}
        for vid, _, size, ts in self.counted():
            if vid == video_id and first <= ts // 60 * 60 <= last:
                sums[ts // 60 * 60] = sums.get(ts // 60 * 60, 0) + size
        return sorted(sums.items())

    def totals(self, user: str, search: str, window: Window | None) -> list[tuple[str, str, datetime, int]]:
        sums = dict.fromkeys(self.ids, 0)
        for vid, _, size, ts in self.counted():
            if window is None or window.start // 60 <= ts // 60 <= window.end // 60:
                sums[vid] += size
        rows = [
            (vid, spec.name, EPOCH + timedelta(seconds=n), sums[vid])
            for n, (vid, spec) in enumerate(zip(self.ids, self.library.videos, strict=True))
            if self.users[spec.user] == user and matches_search(vid, spec.name, search)
        ]
        return sorted(rows, key=lambda row: (-row[3], row[0]))

    def days(self, user: str, first: date, last: date) -> list[tuple[date, int]]:
        sums: dict[date, int] = {}
        for _, owner, size, ts in self.counted():
            day = datetime.fromtimestamp(ts, ZONE).date()
            if owner == user:
                sums[day] = sums.get(day, 0) + size
        return [(first + timedelta(n), sums.get(first + timedelta(n), 0)) for n in range((last - first).days + 1)]

    def user_total(self, user: str) -> int:
        return sum(size for _, owner, size, _ in self.counted() if owner == user)


def windows(world: World) -> st.SearchStrategy[Window]:
    """Bounds often in the very minute of a record (either side of it), so edges are exercised."""
    near_records = st.sampled_from([r.ts for r in world.records] or [MIDNIGHT]).flatmap(
        lambda ts: st.sampled_from([ts, ts - ts % 60, ts - ts % 60 + 59])
    )
    bound = near_records | timestamps()
    return st.builds(lambda a, b: Window(min(a, b), max(a, b)), bound, bound)


async def load(store: Store, world: World) -> None:
    for n, (video_id, spec) in enumerate(zip(world.ids, world.library.videos, strict=True)):
        await store.add_video(video_id, world.users[spec.user], spec.name, deleted=spec.deleted, age=n)
    records, sizes = list(world.records), world.library.batch_sizes
    while records:
        size = sizes[len(records) % len(sizes)]
        await store.vod.traffic.ingest(records[:size])
        del records[:size]


async def check(store: Store, world: World, data: st.DataObject) -> None:
    traffic = store.vod.traffic
    for video_id in world.ids:
        window = data.draw(windows(world))
        owner = world.owner(video_id)
        assert owner is not None
        got = await traffic.list_video_statistic(owner, video_id, window.start, window.end)
        assert got == world.minutes(video_id, window)
    for user in world.users:
        search = data.draw(st.sampled_from(["", "a", "B", "中", "ab", "É", "SS", "%", *world.ids]))
        bounds = data.draw(st.none() | windows(world))
        expected = world.totals(user, search, bounds)
        query = traffic.totals_query(user, search, *((bounds.start, bounds.end) if bounds else (None, None)))
        size = data.draw(st.integers(1, 4))
        listed, count = [], -1
        for number in range(1, len(expected) // size + 2):
            page = await traffic.list_video_total_summary(query, Page(number, size))
            listed += page.rows
            count = page.count
        assert count == len(expected)
        assert [(r.video_id, r.video_name, r.video_created_at, r.total_bytes) for r in listed] == expected
        streamed = [row async for row in traffic.stream_video_total_summary(query)]
        assert streamed == listed
        first = (datetime.fromtimestamp(MIDNIGHT, ZONE) - timedelta(days=data.draw(st.integers(0, 3)))).date()
        last = first + timedelta(days=data.draw(st.integers(0, 5)))
        assert await traffic.list_user_video_day_summary(user, first, last) == world.days(user, first, last)
        assert await traffic.get_user_video_total_summary(user) == world.user_total(user)


@pytest.fixture(scope="module", params=["memory", "sqlite", "postgres"])
def running_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[asyncio.Runner, Store]]:
    """One store (and one event loop) for every example; tiny export chunks exercise the keyset paging."""
    kind = str(request.param)
    url = store_url(kind, request, Path(tmp_path_factory.mktemp(kind)))
    with asyncio.Runner() as runner, pytest.MonkeyPatch.context() as patch:
        patch.setattr(traffic_service, "EXPORT_CHUNK", 2)
        store = runner.run(open_store(kind, url))
        yield runner, store
        runner.run(store.close())


def test_service_zone_is_the_one_the_brute_force_uses() -> None:
    assert DEFAULT_ZONE == ZONE


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(library=libraries(), data=st.data())
def test_every_query_matches_a_recomputation_from_the_raw_records(
    running_store: tuple[asyncio.Runner, Store], library: Library, data: st.DataObject
) -> None:
    runner, store = running_store
    world = World(library)
    runner.run(load(store, world))
    runner.run(check(store, world, data))
