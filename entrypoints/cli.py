"""``vod serve | worker | migrate | user create NAME``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from adapters.redis.jobs import RedisJobQueue
from entrypoints.bootstrap import database_for, http_resources, open_runtime
from entrypoints.config import Config, ConfigError
from entrypoints.http import create_app
from entrypoints.worker import run_worker
from vod_core.errors import VodError


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
    app = create_app(lambda: http_resources(config))
    print(f"Serving on http://{config.host}:{config.port} (API docs at /docs)", flush=True)
    app.run(host=config.host, port=config.port, single_process=True, motd=False, access_log=False)


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


async def worker(config: Config) -> None:
    async with open_runtime(config) as runtime:
        if not isinstance(runtime.job_queue, RedisJobQueue):
            raise ConfigError("VOD_REDIS_URL: `vod worker` consumes jobs from Redis; set it (and on `vod serve`)")
        await run_worker(runtime.vod, runtime.job_queue)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="vod", description="The video-on-demand service.")
    commands = root.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="run the HTTP service (settings from VOD_* environment variables)")
    commands.add_parser("worker", help="run background jobs from Redis (needs VOD_REDIS_URL)")
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
        if args.command == "serve":
            serve(config)
        elif args.command == "worker":
            asyncio.run(worker(config))
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
