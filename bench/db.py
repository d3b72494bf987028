"""Database benchmark: the library's reads over 100,000 videos, ORM repositories vs the raw driver.

Fills one user's library (every video with two play sets) on SQLite and on
PostgreSQL with bulk inserts (``executemany`` / ``COPY``), then times what
the list, search and get endpoints do in one read unit of work each (what
``Context.reader()`` hands the use cases: ``read_unit_of_work()``): the page
of videos, the total count and the page's play sets (get: the video and its
play sets). The same statements are then run by hand with ``sqlite3`` and
``asyncpg`` in the same process, like the reader in autocommit (no explicit
transaction), and the ORM/raw ratio of the medians printed.

    .venv/bin/python -m bench.db [--videos 100000] [--runs 300] [--pg-admin-url postgres://...]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from adapters.tortoise import TortoiseDatabase, sqlite_url
from adapters.tortoise.mapping import PLAY_SETS, VIDEOS
from adapters.tortoise.sql import escape_like, native
from bench.scratch_postgres import add_admin_url_option, scratch_database
from vod_core.ports.unit_of_work import UnitOfWork
from vod_core.ports.videos import VideoQuery
from vod_core.search import fold_name

USER = "benchuser"
PAGE_SIZE = 15
WORDS = [f"{a}{b}" for a in ("amber", "brisk", "cedar", "delta", "ember") for b in ("fox", "gull", "hare", "ibis")]
SEARCH = "cedargull"  # one name in len(WORDS) carries it: 5,000 of 100,000
T0 = datetime(2026, 1, 1, tzinfo=UTC)

VIDEO_COLUMNS = VIDEOS.select
PLAY_SET_COLUMNS = PLAY_SETS.select
LIVE = "user_id = ? AND NOT status = ?"
NAME_MATCH = "(id = ? OR video_name_folded LIKE ? ESCAPE '\\')"
NEWEST_FIRST = "ORDER BY created_at DESC, id DESC"
OLDEST_FIRST = "ORDER BY created_at ASC, id ASC"
PAGE_SQL = (  # the page's ids from the covering index, then only those rows (as the repository does)
    f"SELECT {VIDEO_COLUMNS} FROM video WHERE id IN"
    f" (SELECT id FROM video WHERE {{where}} {{order}} LIMIT ? OFFSET ?) {NEWEST_FIRST}"
)
COUNT_SQL = "SELECT COUNT(*) FROM video WHERE {where}"
LIVE_COUNT_SQL = "SELECT live FROM video_live_count WHERE user_id = ?"  # what a plain list counts (m0004)
GET_SQL = f"SELECT {VIDEO_COLUMNS} FROM video WHERE id = ? LIMIT 1"
PLAY_SETS_SQL = (
    f"SELECT {PLAY_SET_COLUMNS} FROM play_set WHERE video_id IN ({{marks}}) AND status <> 7 ORDER BY created_at, id"
)


def video_rows(count: int, sqlite: bool) -> Iterator[tuple[Any, ...]]:
    for n in range(count):
        created: Any = T0 + timedelta(seconds=n)
        if sqlite:
            created = created.isoformat(" ")
        name = f"{WORDS[n % len(WORDS)]} clip {n}"
        yield (
            f"v{n:07d}", USER, f"s{n:07d}", name, created, created,
            "upload", "", 1, f"t{n:07d}", 10_000_000, 1920, 1080, 60_000, 0, "", False, "", fold_name(name),
        )  # fmt: skip


def play_set_rows(count: int, sqlite: bool) -> Iterator[tuple[Any, ...]]:
    for n in range(count):
        created: Any = T0 + timedelta(seconds=n, milliseconds=1)
        if sqlite:
            created = created.isoformat(" ")
        for template, resolution in ((1, "360P"), (3, "720P")):
            yield (
                f"p{n:07d}{template}", f"v{n:07d}", USER, template, resolution, created, created, 1, 1.0,
                f"r{n:07d}{template}", 1_000_000, 1280, 720, 60_000, "",
            )  # fmt: skip


def fill_sqlite(path: str, count: int) -> None:
    with sqlite3.connect(path) as db:
        marks = ", ".join("?" * len(VIDEOS.columns))
        db.executemany(f"INSERT INTO video ({', '.join(VIDEOS.columns)}) VALUES ({marks})", video_rows(count, True))
        marks = ", ".join("?" * len(PLAY_SETS.columns))
        db.executemany(f"INSERT INTO play_set ({PLAY_SET_COLUMNS}) VALUES ({marks})", play_set_rows(count, True))
        db.execute("ANALYZE")


async def fill_postgres(connection: asyncpg.Connection, count: int) -> None:
    """COPY without the per-row counting trigger (100,000 upserts of one row), then count once, like m0004."""
    columns = list(VIDEOS.columns)
    await connection.execute("ALTER TABLE video DISABLE TRIGGER tr_video_live_count")
    await connection.copy_records_to_table("video", records=video_rows(count, False), columns=columns)
    await connection.execute("ALTER TABLE video ENABLE TRIGGER tr_video_live_count")
    await connection.execute(
        "INSERT INTO video_live_count SELECT user_id, COUNT(*) FROM video WHERE status <> 4 GROUP BY user_id"
    )
    columns = list(PLAY_SETS.columns)
    await connection.copy_records_to_table("play_set", records=play_set_rows(count, False), columns=columns)
    await connection.execute("VACUUM ANALYZE video")
    await connection.execute("VACUUM ANALYZE play_set")


@dataclass(frozen=True)
class Case:
    name: str
    search: str = ""
    offset: int = 0
    get_id: str = ""


def cases(count: int) -> list[Case]:
    return [
        Case("list page 1"),
        Case(f"list deep page (offset {count - 1000})", offset=count - 1000),
        Case(f"search name '{SEARCH}'", search=SEARCH),
        Case("get by id", get_id=f"v{count // 2:07d}"),
    ]


async def orm_case(uow_factory: Callable[[], UnitOfWork], case: Case) -> int:
    async with uow_factory() as uow:
        if case.get_id:
            video = await uow.videos.get(case.get_id)
            assert video is not None
            return len(await uow.play_sets.live_for_videos([video.id]))
        query = VideoQuery(USER, case.search)
        videos = await uow.videos.find(query, case.offset, PAGE_SIZE)
        await uow.videos.count(query)
        return len(await uow.play_sets.live_for_videos([v.id for v in videos]))


def raw_statements(case: Case, total: int) -> tuple[str, list[Any], str, list[Any]]:
    """(page or get SQL, params, count SQL, params) with ``?`` placeholders.

    A plain list's page in the older half is walked to from the oldest end,
    as the repository does, given the ``total`` of live videos.
    """
    if case.get_id:
        return GET_SQL, [case.get_id], "", []
    where, params = LIVE, [USER, 4]
    if case.search:
        escaped = escape_like(fold_name(case.search))
        where, params = f"{LIVE} AND {NAME_MATCH}", [USER, 4, case.search, f"%{escaped}%"]
        page = PAGE_SQL.format(where=where, order=NEWEST_FIRST), [*params, PAGE_SIZE, case.offset]
        return *page, COUNT_SQL.format(where=where), params
    order, take, skip = NEWEST_FIRST, PAGE_SIZE, case.offset
    if case.offset > total // 2:
        order, take = OLDEST_FIRST, min(PAGE_SIZE, total - case.offset)
        skip = total - case.offset - take
    return PAGE_SQL.format(where=where, order=order), [*params, take, skip], LIVE_COUNT_SQL, [USER]


def raw_sqlite_case(db: sqlite3.Connection, case: Case) -> int:
    total = db.execute(LIVE_COUNT_SQL, [USER]).fetchone()[0] if case.offset else 0
    page_sql, page_params, count_sql, count_params = raw_statements(case, total)
    ids = [row[0] for row in db.execute(page_sql, page_params)]
    if count_sql and not total:
        db.execute(count_sql, count_params).fetchone()
    found = db.execute(PLAY_SETS_SQL.format(marks=", ".join("?" * len(ids))), ids).fetchall()
    return len(found)


async def raw_postgres_case(db: asyncpg.Connection, case: Case) -> int:
    total = await db.fetchval(native(LIVE_COUNT_SQL, "postgres"), USER) if case.offset else 0
    page_sql, page_params, count_sql, count_params = raw_statements(case, total)
    ids = [row[0] for row in await db.fetch(native(page_sql, "postgres"), *page_params)]
    if count_sql and not total:
        await db.fetchval(native(count_sql, "postgres"), *count_params)
    marks = ", ".join("?" * len(ids))
    found = await db.fetch(native(PLAY_SETS_SQL.format(marks=marks), "postgres"), *ids)
    return len(found)


async def timed(orm: Callable[[], Awaitable[int]], raw: Callable[[], Awaitable[int]], runs: int) -> list[list[float]]:
    """Milliseconds of ``runs`` calls each, ORM and raw alternating so load changes hit both alike."""
    for _ in range(max(5, runs // 10)):
        assert await orm() == await raw()
    samples: list[list[float]] = [[], []]
    for _ in range(runs):
        for run, into in ((orm, samples[0]), (raw, samples[1])):
            start = time.perf_counter()
            await run()
            into.append((time.perf_counter() - start) * 1000)
    return samples


def p(samples: list[float], percentile: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[percentile - 1]


def report(engine: str, case: Case, orm: list[float], raw: list[float]) -> None:
    ratio = statistics.median(orm) / statistics.median(raw)
    print(
        f"| {engine} | {case.name} | {p(orm, 50):.2f} | {p(orm, 99):.2f} | {p(raw, 50):.2f} | {p(raw, 99):.2f}"
        f" | {ratio:.2f}x |",
        flush=True,
    )


async def bench_sqlite(count: int, runs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="vod-bench-") as data_dir:
        database = TortoiseDatabase(sqlite_url(data_dir))
        await database.connect()
        path = os.path.join(data_dir, "vod.sqlite3")
        started = time.perf_counter()
        fill_sqlite(path, count)
        print(f"SQLite: filled {count} videos + {2 * count} play sets in {time.perf_counter() - started:.1f} s")
        raw = sqlite3.connect(path, isolation_level=None)
        try:
            for case in cases(count):

                async def raw_run(case: Case = case) -> int:
                    return raw_sqlite_case(raw, case)

                async def orm_run(case: Case = case) -> int:
                    return await orm_case(database.read_unit_of_work, case)

                report("SQLite", case, *await timed(orm_run, raw_run, runs))
        finally:
            raw.close()
            await database.close()


async def bench_postgres(admin_url: str, count: int, runs: int) -> None:
    async with scratch_database(admin_url) as url:
        database = TortoiseDatabase(url)
        await database.connect()
        raw = await asyncpg.connect(url)
        try:
            started = time.perf_counter()
            await fill_postgres(raw, count)
            print(f"PostgreSQL: filled {count} videos + {2 * count} play sets in {time.perf_counter() - started:.1f} s")
            for case in cases(count):

                async def raw_run(case: Case = case) -> int:
                    return await raw_postgres_case(raw, case)

                async def orm_run(case: Case = case) -> int:
                    return await orm_case(database.read_unit_of_work, case)

                report("PostgreSQL", case, *await timed(orm_run, raw_run, runs))
        finally:
            await raw.close()
            await database.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--videos", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=300)
    add_admin_url_option(parser)
    args = parser.parse_args()
    print(f"{args.videos} videos of one user, {args.runs} runs per case, milliseconds per request\n")
    print("| database | request | ORM p50 | ORM p99 | raw p50 | raw p99 | ORM/raw (p50) |")
    print("|---|---|---|---|---|---|---|")
    await bench_sqlite(args.videos, args.runs)
    await bench_postgres(args.pg_admin_url, args.videos, args.runs)


if __name__ == "__main__":
    asyncio.run(main())
