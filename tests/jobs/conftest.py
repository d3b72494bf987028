"""Fixtures of the job queue tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from adapters.redis.jobs import RedisJobQueue


@pytest.fixture
async def queue(redis_url: str, redis_prefix: str) -> AsyncIterator[RedisJobQueue]:
    """A Redis job queue under this test's own key prefix."""
    client = Redis.from_url(redis_url, decode_responses=True)
    yield RedisJobQueue(client, prefix=redis_prefix)
    await client.aclose()
