"""The service's own commands: ``vod serve | worker | migrate | user create|list|rotate-key|disable``."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import sys
from datetime import timedelta
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from entrypoints.background import maintaining
from entrypoints.bootstrap import bootstrap, serving
from entrypoints.config import Config, ConfigError, port_number
from entrypoints.http import create_app
from entrypoints.http.protocol import HeadDeadlineProtocol
from entrypoints.log_format import configure_logging
from entrypoints.metrics_server import metrics_server
from entrypoints.worker import run_worker, takeover_timing
from vod_core.errors import VodError

log = logging.getLogger(__name__)

DISTRIBUTION = "vod-platform"
"""The installed distribution whose version ``vod --version`` prints."""


def package_version() -> str:
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


async def _prepare(config: Config) -> None:
    """Migrate and, on an empty database, create user ``default`` and print its key once."""
    async with bootstrap(config) as runtime:
        key = await runtime.vod.users.ensure_default_user(config.default_api_key or None)
    if key is not None:
        print("Created user 'default'. Its API key (shown only now):", flush=True)
        print(key, flush=True)


def serve(config: Config) -> None:
    """Run in one process; Sanic's single-process server stops cleanly on SIGTERM/SIGINT."""
    asyncio.run(_prepare(config))
    # Built inside the server's event loop: the Redis client belongs to the loop it was made in.
    app = create_app(lambda: serving(bootstrap(config)), settings=config)
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
    runtime = bootstrap(config)
    assert runtime.database is not None  # built, not overridden
    await runtime.open(migrate=False)
    try:
        applied = await runtime.database.migrate()
    finally:
        await runtime.close()
    print("\n".join(applied) if applied else "The database is up to date.")


async def create_user(config: Config, name: str) -> None:
    async with bootstrap(config) as runtime:
        _, key = await runtime.vod.users.create_user(name)
    print(f"Created user {name!r}. Its API key (shown only now):")
    print(key)


async def list_users(config: Config) -> None:
    async with bootstrap(config) as runtime:
        users = await runtime.vod.users.list_users()
    rows = [("NAME", "CREATED", "DISABLED", "KEYS")]
    rows += [
        (u.name, u.created_at.isoformat(timespec="seconds"), "yes" if u.disabled else "no", str(u.key_count))
        for u in users
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[3])


async def rotate_key(config: Config, name: str) -> None:
    async with bootstrap(config) as runtime:
        key = await runtime.vod.users.rotate_key(name)
    print(f"User {name!r} has a new API key; its old keys are refused from now on. The key (shown only now):")
    print(key)


async def disable_user(config: Config, name: str) -> None:
    async with bootstrap(config) as runtime:
        await runtime.vod.users.disable_user(name)
    print(f"User {name!r} is disabled: its API keys are refused from now on.")


async def worker(config: Config, *, recover_first: bool = False) -> None:
    if not config.redis_url:
        raise ConfigError("VOD_REDIS_URL: `vod worker` consumes jobs from Redis; set it (and on `vod serve`)")
    grace = timedelta(seconds=config.orphan_grace_s)
    async with bootstrap(config) as runtime, metrics_server(config), maintaining(runtime.vod, grace):
        assert runtime.redis_jobs is not None  # bootstrap builds it whenever redis_url is set
        timing = takeover_timing(config.job_takeover_s)
        await run_worker(runtime.vod, runtime.redis_jobs, timing=timing, recover=recover_first)


RECOVER_HELP = (
    "first queue a job for every video and play set left unfinished in the database and not in the "
    "Redis stream (its enqueue was lost when a process died between its commit and Redis); use it "
    "once, when NO other `vod worker` or `vod serve` runs, or a job may run twice at once"
)


def _port(raw: str) -> int:
    try:
        return port_number("--port", raw)
    except ConfigError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_service_commands(commands: argparse._SubParsersAction[Any]) -> None:
    serve_ = commands.add_parser("serve", help="run the HTTP service (settings from VOD_* environment variables)")
    serve_.add_argument("--host", help="address to listen on (overrides VOD_HOST)")
    serve_.add_argument("--port", type=_port, help="port to listen on (overrides VOD_PORT)")
    work = commands.add_parser("worker", help="run background jobs from Redis (needs VOD_REDIS_URL)")
    work.add_argument("--recover", action="store_true", help=RECOVER_HELP)
    commands.add_parser("migrate", help="bring the database schema up to date")
    user = commands.add_parser("user", help="manage users").add_subparsers(dest="user_command", required=True)
    create = user.add_parser("create", help="create a user and print its API key")
    create.add_argument("name")
    user.add_parser("list", help="list users: name, created, disabled, number of API keys (never the keys)")
    rotate = user.add_parser("rotate-key", help="replace every API key of a user by a new one, printed last")
    rotate.add_argument("name")
    disable = user.add_parser("disable", help="refuse every API key of a user from now on")
    disable.add_argument("name")


def run_service_command(args: argparse.Namespace) -> int:
    """Run a command of ``add_service_commands`` with the VOD_* settings; its exit status."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        config = Config.from_env()
        configure_logging(config.log_format)
        if args.command == "serve":
            listen = {"host": args.host, "port": args.port}
            serve(dataclasses.replace(config, **{k: v for k, v in listen.items() if v is not None}))
        elif args.command == "worker":
            asyncio.run(worker(config, recover_first=args.recover))
        elif args.command == "migrate":
            asyncio.run(migrate(config))
        elif args.user_command == "create":
            asyncio.run(create_user(config, args.name))
        elif args.user_command == "list":
            asyncio.run(list_users(config))
        elif args.user_command == "rotate-key":
            asyncio.run(rotate_key(config, args.name))
        else:
            asyncio.run(disable_user(config, args.name))
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
