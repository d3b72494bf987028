"""ObjectCache under random sequences of uses, deletions and restarts, against a model of least-recently-used order.

The origin is a dict (the S3 behaviour is in tests/contract/test_object_cache.py);
what is checked here is the bookkeeping: the bound, the order, and that the
index always says what is on disk.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections import OrderedDict
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from adapters.storage.cache import CacheTooSmall, ObjectCache
from vod_core.errors import NotFound

MAX_BYTES = 100
KEYS = st.sampled_from(["a", "b", "c", "d", "e"])


class DictOrigin:
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.downloads = 0

    async def size(self, key: str) -> int:
        if key not in self.objects:
            raise NotFound(key)
        return len(self.objects[key])

    async def download(self, key: str, path: str) -> int:
        self.downloads += 1
        Path(path).write_bytes(self.objects[key])
        return len(self.objects[key])


class CacheMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.directory = tempfile.mkdtemp(prefix="vod-cache-rules-")
        self.origin = DictOrigin()
        self.cache = ObjectCache(self.directory, MAX_BYTES, self.origin)
        self.model: OrderedDict[str, int] = OrderedDict()
        """What should be cached: key -> size, least recently used first."""

    def teardown(self) -> None:
        self.loop.close()
        shutil.rmtree(self.directory, ignore_errors=True)

    @rule(key=KEYS, size=st.integers(0, 70))
    def store(self, key: str, size: int) -> None:
        """A new object (a key is written once: a deleted key may come back, with new bytes)."""
        if key not in self.origin.objects:
            self.origin.objects[key] = key.encode() * size

    @rule(key=KEYS)
    def use(self, key: str) -> None:
        downloads = self.origin.downloads
        try:
            path = self.loop.run_until_complete(self.cache.path(key))
        except NotFound:
            assert key not in self.origin.objects
            return
        assert Path(path).read_bytes() == self.origin.objects[key]
        size = len(self.origin.objects[key])
        assert self.origin.downloads == downloads + (key not in self.model)
        if key not in self.model:
            while sum(self.model.values()) + size > MAX_BYTES:
                self.model.popitem(last=False)
        self.model[key] = size
        self.model.move_to_end(key)

    @rule(key=KEYS)
    def delete(self, key: str) -> None:
        self.origin.objects.pop(key, None)
        self.cache.drop(key)
        self.model.pop(key, None)

    @rule()
    def restart(self) -> None:
        self.cache = ObjectCache(self.directory, MAX_BYTES, self.origin)

    @invariant()
    def the_index_is_the_model_and_the_disk(self) -> None:
        assert self.cache.keys() == list(self.model)
        assert self.cache.used_bytes == sum(self.model.values()) <= MAX_BYTES
        assert sorted(os.listdir(os.path.join(self.directory, "objects"))) == sorted(self.model)
        assert os.listdir(os.path.join(self.directory, "tmp")) == []


TestCacheRules = CacheMachine.TestCase
TestCacheRules.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)


def test_an_object_larger_than_the_cache_is_refused_before_anything_is_evicted() -> None:
    machine = CacheMachine()
    try:
        machine.store("a", 40)
        machine.use("a")
        machine.origin.objects["huge"] = b"x" * (MAX_BYTES + 1)
        with pytest.raises(CacheTooSmall):
            machine.loop.run_until_complete(machine.cache.path("huge"))
        machine.the_index_is_the_model_and_the_disk()
    finally:
        machine.teardown()
