"""Shared fixtures: the real PostgreSQL, Redis and S3 (moto) servers, isolated per test run.

Each run gets its own PostgreSQL database and its own Redis key prefix and
removes them afterwards. When a server is unreachable the tests that need it
are skipped on a developer machine and fail in CI (``CI=true``).
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Iterator

import pytest

from tests.support.s3 import S3Server, running_s3_server

PG_ADMIN_URL = os.environ.get("VOD_TEST_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("VOD_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
RUN_ID = secrets.token_hex(4)


def unreachable(service: str, error: BaseException) -> None:
    message = f"{service} is unreachable: {error!r}"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message)
    pytest.skip(message)


def _with_database(admin_url: str, name: str) -> str:
    base, _, _ = admin_url.rpartition("/")
    return f"{base}/{name}"


async def pg_admin(sql: str) -> None:
    """Run ``sql`` on the admin database (CREATE and DROP DATABASE)."""
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a fresh PostgreSQL database for this test run (dropped at the end)."""
    import asyncpg

    name = f"vod_test_{RUN_ID}"
    try:
        asyncio.run(pg_admin(f'CREATE DATABASE "{name}"'))
    except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
        unreachable("PostgreSQL", exc)
    yield _with_database(PG_ADMIN_URL, name)
    asyncio.run(pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def redis_url() -> str:
    """URL of the Redis server; pair it with ``redis_prefix`` to stay isolated."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        unreachable("Redis", exc)
    finally:
        client.close()
    return REDIS_URL


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix of this test alone; every key under it is deleted afterwards."""
    import redis

    prefix = f"vodtest:{RUN_ID}:{secrets.token_hex(3)}:"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """moto's S3 server on a loopback port for this test run (tests/support/s3.py)."""
    try:
        server_context = running_s3_server()
        server = server_context.__enter__()
    except (RuntimeError, OSError) as exc:
        unreachable("the S3 server (moto)", exc)
    try:
        yield server
    finally:
        server_context.__exit__(None, None, None)


@pytest.fixture
def s3_bucket(s3_server: S3Server) -> str:
    """A new empty bucket of this test alone (the server's memory goes at the end of the run)."""
    return s3_server.create_bucket()
