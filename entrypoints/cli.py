"""``vod serve | worker | migrate | user create NAME``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from collections.abc import Sequence
from typing import cast

from adapters.redis.jobs import RedisJobQueue, decode_job
from entrypoints.bootstrap import database_for, http_resources, open_runtime
from entrypoints.config import Config, ConfigError
from entrypoints.http import create_app
from entrypoints.http.protocol import HeadDeadlineProtocol
from entrypoints.log_format import configure_logging
from entrypoints.metrics_server import metrics_server
from entrypoints.worker import run_worker
from vod_core import Vod
from vod_core.errors import VodError
from vod_core.ports.jobs import Job, JobKind

log = logging.getLogger(__name__)


async def _prepare(config: Config) -> None:
    """Migrate and, on an empty database, create user ``default`` and print its key once."""
    async with open_runtime(config) as runtime:
        key = await runtime.vod.users.ensure_default_user(config.default_api_key or None)
    if key is not None:
        print("Created user 'default'. Its API key (shown only now):", flush=True)
        print(key, flush=True)


def serve(config: Config) -> None:
    """Run in one process; Sanic's single-process server stops cleanly on SIGTERM/SIGINT."""
    asyncio.run(_prepare(config))
    app = create_app(lambda: http_resources(config), settings=config)
    print(f"Serving on http://{config.host}:{config.port} (API docs at /docs)", flush=True)
    app.run(
        host=config.host,
        port=config.port,
        single_process=True,
        motd=False,
        access_log=False,
        protocol=HeadDeadlineProtocol,
    )


async def migrate(config: Config) -> None:
    database = database_for(config)
    await database.connect(migrate=False)
    try:
        applied = await database.migrate()
    finally:
        await database.close()
    print("\n".join(applied) if applied else "The database is up to date.")


async def create_user(config: Config, name: str) -> None:
    async with open_runtime(config) as runtime:
        _, key = await runtime.vod.users.create_user(name)
    print(f"Created user {name!r}. Its API key (shown only now):")
    print(key)


async def queued_jobs(queue: RedisJobQueue, page: int = 1000) -> list[Job]:
    """Every job still in the stream: not yet read, or read and not acknowledged (a dead worker's)."""
    jobs: list[Job] = []
    start = "-"
    while True:
        # The RESP2 shape (the client's default protocol), strings decoded.
        entries = cast(list[tuple[str, dict[str, str]]], await queue.client.xrange(queue.stream, min=start, count=page))
        for _, fields in entries:
            with contextlib.suppress(KeyError, ValueError):
                jobs.append(decode_job(fields, 1))
        if len(entries) < page:
            return jobs
        start = f"({entries[-1][0]}"


def missing(unfinished: list[Job], queued: list[Job]) -> list[Job]:
    """The part of ``unfinished`` that no queued job covers (play sets are compared one by one)."""
    processing = {j.video_id for j in queued if j.kind == JobKind.PROCESS_VIDEO}
    transcoding = {p for j in queued if j.kind == JobKind.TRANSCODE for p in j.play_set_ids}
    result: list[Job] = []
    for job in unfinished:
        if job.kind == JobKind.PROCESS_VIDEO:
            if job.video_id not in processing:
                result.append(job)
            continue
        ids = tuple(p for p in job.play_set_ids if p not in transcoding)
        if ids:
            result.append(Job(job.kind, job.video_id, ids))
    return result


async def recover(vod: Vod, queue: RedisJobQueue) -> int:
    """Queue jobs for unfinished work that has none in the stream (its enqueue was lost); returns how many.

    Only safe while no other process runs jobs or creates videos: a job committed but not yet
    added to the stream would otherwise be queued twice and could run twice at once.
    """
    lost = missing(await vod.processing.recover_unfinished(), await queued_jobs(queue))
    await queue.enqueue_many(lost)
    for job in lost:
        log.info("recovered %s of video %s (%d play sets)", job.kind.value, job.video_id, len(job.play_set_ids))
    log.info("recovery queued %d jobs whose enqueue was lost", len(lost))
    return len(lost)


async def worker(config: Config, *, recover_first: bool = False) -> None:
    if not config.redis_url:
        raise ConfigError("VOD_REDIS_URL: `vod worker` consumes jobs from Redis; set it (and on `vod serve`)")
    async with open_runtime(config) as runtime, metrics_server(config):
        queue = runtime.job_queue
        assert isinstance(queue, RedisJobQueue)
        if recover_first:
            await recover(runtime.vod, queue)
        await run_worker(runtime.vod, queue)


RECOVER_HELP = (
    "first queue a job for every video and play set left unfinished in the database and not in the "
    "Redis stream (its enqueue was lost when a process died between its commit and Redis); use it "
    "once, when NO other `vod worker` or `vod serve` runs, or a job may run twice at once"
)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="vod", description="The video-on-demand service.")
    commands = root.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="run the HTTP service (settings from VOD_* environment variables)")
    work = commands.add_parser("worker", help="run background jobs from Redis (needs VOD_REDIS_URL)")
    work.add_argument("--recover", action="store_true", help=RECOVER_HELP)
    commands.add_parser("migrate", help="bring the database schema up to date")
    user = commands.add_parser("user", help="manage users").add_subparsers(dest="user_command", required=True)
    create = user.add_parser("create", help="create a user and print its API key")
    create.add_argument("name")
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        config = Config.from_env()
        configure_logging(config.log_format)
        if args.command == "serve":
            serve(config)
        elif args.command == "worker":
            asyncio.run(worker(config, recover_first=args.recover))
        elif args.command == "migrate":
            asyncio.run(migrate(config))
        else:
            asyncio.run(create_user(config, args.name))
    except ConfigError as exc:
        print(f"vod: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"vod: {exc}", file=sys.stderr)
        return 1
    except VodError as exc:
        print(f"vod: {exc.message}", file=sys.stderr)
        return 1
    return 0
