"""The in-memory database behind the same seam as ``TortoiseDatabase``: connect, migrate, units of work."""

from __future__ import annotations

from adapters.memory.database import MemoryDatabase
from adapters.memory.unit_of_work import MemoryReadUnitOfWork, MemoryUnitOfWork
from vod_core.ports.unit_of_work import ReadUnitOfWork, UnitOfWork


class MemoryBackend:
    """``db`` may be shared by several backends to play a restarted process (tests)."""

    def __init__(self, db: MemoryDatabase | None = None) -> None:
        self.db = db or MemoryDatabase()

    async def connect(self, migrate: bool = True) -> None:
        """Nothing to connect to: the tables exist from the start."""

    async def migrate(self) -> list[str]:
        return []

    async def close(self) -> None:
        """Nothing to release; the tables live as long as ``db``."""

    def unit_of_work(self) -> UnitOfWork:
        return MemoryUnitOfWork(self.db)

    def read_unit_of_work(self) -> ReadUnitOfWork:
        return MemoryReadUnitOfWork(self.db)
