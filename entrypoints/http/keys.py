"""Recently verified API keys, so most requests skip the key look-up.

A key check is a database round trip, as expensive as the read the request
is about, and a key never changes owner. Entries expire after ``ttl_s`` so
a revoked key stops working within that time. Only successes are kept: a
flood of random keys cannot fill the memory.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable


class KeyCache:
    """User ids of recently verified key hashes, for ``ttl_s`` seconds, at most ``size`` of them."""

    def __init__(self, ttl_s: float = 60.0, size: int = 10_000, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl_s = ttl_s
        self._size = size
        self._clock = clock
        self._entries: OrderedDict[str, tuple[str, float]] = OrderedDict()

    def get(self, key_hash: str) -> str | None:
        entry = self._entries.get(key_hash)
        if entry is None:
            return None
        user_id, expires = entry
        if expires <= self._clock():
            del self._entries[key_hash]
            return None
        return user_id

    def put(self, key_hash: str, user_id: str) -> None:
        self._entries[key_hash] = (user_id, self._clock() + self._ttl_s)
        self._entries.move_to_end(key_hash)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)
