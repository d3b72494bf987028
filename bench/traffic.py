"""Traffic benchmark: ingestion next to a raw-driver bulk insert, and the two 90-day queries.

On SQLite and on PostgreSQL, one user with 1,000 videos:

- ingestion: ``--records`` random records (1,000 videos, 90 days) through
  ``vod.traffic.ingest`` in batches of 1,000, in records/s, next to a plain
  bulk insert of the same rows in the same batches with the raw driver
  (``sqlite3.executemany`` / asyncpg ``COPY``) into an unindexed table;
- the 90-day per-minute statistic of a video with traffic in every minute
  (129,600 buckets), median of ``--runs``;
- the 90-day daily summary of the user (whose 1,000 videos all have traffic),
  median of ``--runs``; and, for information, the 90-day per-video totals page.

    .venv/bin/python -m bench.traffic [--records 200000] [--runs 10] [--pg-admin-url postgres://...]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import asyncpg  # type: ignore[import-untyped]

from adapters.tortoise import TortoiseDatabase, sqlite_url
from bench.scratch_postgres import add_admin_url_option, scratch_database
from entrypoints.bootstrap import bootstrap
from entrypoints.config import Config
from vod_core import Vod
from vod_core.services.context import DEFAULT_ZONE
from vod_core.services.validation import Page
from vod_core.traffic import MinuteIncrement, TrafficRecord, local_day
from vod_core.video import Video, VideoStatus

USER = "bench-user"
VIDEOS = 1000
BATCH = 1000
DAY = 86400
WINDOW = 90 * DAY
START = int(datetime(2024, 1, 1, tzinfo=DEFAULT_ZONE).timestamp())
FULL_VIDEO = "video0000"


def make_records(count: int) -> list[TrafficRecord]:
    rng = random.Random(7)
    return [
        TrafficRecord(f"video{rng.randrange(VIDEOS):04d}", rng.randrange(1, 2_000_000), START + rng.randrange(WINDOW))
        for _ in range(count)
    ]


def batches(records: list[TrafficRecord]) -> list[list[TrafficRecord]]:
    return [records[i : i + BATCH] for i in range(0, len(records), BATCH)]


def build_vod(database: TortoiseDatabase) -> Vod:
    return bootstrap(Config.in_memory(), database=database).vod


async def seed(vod: Vod) -> None:
    """1,000 videos, and a bucket in every minute of the 90 days for the first one."""
    created = datetime(2023, 12, 1, tzinfo=UTC)
    async with vod.ctx.uow() as uow:
        for n in range(VIDEOS):
            video = Video(f"video{n:04d}", USER, f"storage{n:04d}", f"Clip {n}", created, created)
            video.status = VideoStatus.READY
            await uow.videos.add(video)
        await uow.commit()
    minutes = range(START, START + WINDOW, 60)
    for first in range(0, len(minutes), 10_000):
        async with vod.ctx.uow() as uow:
            await uow.traffic.add(
                [
                    MinuteIncrement(FULL_VIDEO, USER, minute, local_day(minute, DEFAULT_ZONE), 1000)
                    for minute in minutes[first : first + 10_000]
                ]
            )
            await uow.commit()


async def ingest(vod: Vod, records: list[TrafficRecord]) -> float:
    started = time.perf_counter()
    for batch in batches(records):
        await vod.traffic.ingest(batch)
    return len(records) / (time.perf_counter() - started)


def raw_sqlite_insert(path: str, records: list[TrafficRecord]) -> float:
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("CREATE TABLE raw_traffic (video_id TEXT NOT NULL, bytes INTEGER NOT NULL, ts INTEGER NOT NULL)")
        started = time.perf_counter()
        for batch in batches(records):
            with db:
                db.executemany("INSERT INTO raw_traffic VALUES (?, ?, ?)", [(r.video_id, r.bytes, r.ts) for r in batch])
        return len(records) / (time.perf_counter() - started)
    finally:
        db.close()


async def raw_postgres_insert(url: str, records: list[TrafficRecord]) -> float:
    db = await asyncpg.connect(url)
    try:
        await db.execute(
            "CREATE TABLE raw_traffic (video_id VARCHAR(64) NOT NULL, bytes BIGINT NOT NULL, ts BIGINT NOT NULL)"
        )
        started = time.perf_counter()
        for batch in batches(records):
            await db.copy_records_to_table("raw_traffic", records=[(r.video_id, r.bytes, r.ts) for r in batch])
        return len(records) / (time.perf_counter() - started)
    finally:
        await db.close()


async def median_ms(run: Callable[[], Awaitable[object]], runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        await run()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


async def measure(
    engine: str,
    database: TortoiseDatabase,
    records: list[TrafficRecord],
    raw_rate: Callable[[], Awaitable[float]],
    runs: int,
) -> None:
    vod = build_vod(database)
    await seed(vod)
    ours = await ingest(vod, records)
    raw = await raw_rate()
    traffic = vod.traffic
    minutes = await traffic.list_video_statistic(USER, FULL_VIDEO, START, START + WINDOW)
    assert len(minutes) == WINDOW // 60, len(minutes)
    first, last = traffic.day_range(START, START + WINDOW)
    days = await traffic.list_user_video_day_summary(USER, first, last)
    assert all(total > 0 for _, total in days[:-1]), "every day of the window has traffic"
    per_minute = await median_ms(lambda: traffic.list_video_statistic(USER, FULL_VIDEO, START, START + WINDOW), runs)
    daily = await median_ms(lambda: traffic.list_user_video_day_summary(USER, first, last), runs)
    query = traffic.totals_query(USER, "", START, START + WINDOW)
    totals = await median_ms(lambda: traffic.list_video_total_summary(query, Page(1, 20)), runs)
    rates = f"{ours:,.0f} | {raw:,.0f} | {ours / raw:.2f}"
    print(f"| {engine} | {rates} | {per_minute:.0f} ms | {daily:.1f} ms | {totals:.0f} ms |")


async def bench_sqlite(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        database = TortoiseDatabase(sqlite_url(data_dir))
        await database.connect()
        records = make_records(args.records)
        raw_path = os.path.join(data_dir, "raw.sqlite3")
        try:
            await measure(
                "SQLite", database, records, lambda: asyncio.to_thread(raw_sqlite_insert, raw_path, records), args.runs
            )
        finally:
            await database.close()


async def bench_postgres(args: argparse.Namespace) -> None:
    async with scratch_database(args.pg_admin_url) as url:
        database = TortoiseDatabase(url)
        await database.connect()
        records = make_records(args.records)
        try:
            await measure("PostgreSQL", database, records, lambda: raw_postgres_insert(url, records), args.runs)
        finally:
            await database.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=10)
    add_admin_url_option(parser)
    args = parser.parse_args()
    print(f"{args.records:,} records in batches of {BATCH:,}; {VIDEOS:,} videos; medians of {args.runs} runs\n")
    print(
        "| database | ingest (records/s) | raw bulk insert (records/s) | ingest/raw"
        " | 90-day per-minute (129,600 rows) | 90-day daily summary | 90-day totals page |"
    )
    print("|---|---|---|---|---|---|---|")
    await bench_sqlite(args)
    await bench_postgres(args)


if __name__ == "__main__":
    asyncio.run(main())
