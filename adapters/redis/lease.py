"""A lease (SET NX PX) so that one process at a time runs a round of shared work."""

from __future__ import annotations

import secrets

from redis.asyncio import Redis

_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


class RedisLease:
    """``ttl_ms`` must exceed one round, so a live holder never loses the lease mid-round."""

    def __init__(self, client: Redis, key: str, ttl_ms: int) -> None:
        self._client = client
        self._key = key
        self._ttl_ms = ttl_ms
        self._token = secrets.token_hex(8)

    async def acquire(self) -> bool:
        return bool(await self._client.set(self._key, self._token, nx=True, px=self._ttl_ms))

    async def release(self) -> None:
        """Release only if still ours (it may have expired and been taken)."""
        await self._client.eval(_RELEASE, 1, self._key, self._token)
