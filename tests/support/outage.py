"""An object store that is unreachable while a test says so, for the jobs that read and write media."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from adapters.memory.storage import MemoryStorage
from vod_core.errors import StorageUnavailable


class StoreOutage(MemoryStorage):
    """Memory storage whose media reads and writes (``local_path``, ``import_file``) fail as an
    unreachable store's do while ``down``, or for the keys in ``unreachable``; uploads still work.

    ``refused`` counts the calls that failed, so a test can wait for a job to have failed N times.
    """

    def __init__(self) -> None:
        super().__init__()
        self.down = False
        self.unreachable: set[str] = set()
        self.refused = 0

    def _check(self, key: str, operation: str) -> None:
        if self.down or key in self.unreachable:
            self.refused += 1
            raise StorageUnavailable(f"object store failure in {operation}: GenericError")

    async def local_path(self, key: str) -> str:
        self._check(key, "local_path")
        return await super().local_path(key)

    async def import_file(self, key: str, local_path: str) -> int:
        self._check(key, "import_file")
        return await super().import_file(key, local_path)

    def refused_at_least(self, times: int) -> Callable[[], Awaitable[bool]]:
        """A condition to poll (``tests.jobs.helpers.eventually``): the store has refused ``times`` calls."""

        async def refused_enough() -> bool:
            return self.refused >= times

        return refused_enough
