"""The in-memory units of work: one serialized transaction over every repository."""

from __future__ import annotations

from types import TracebackType

from adapters.memory.database import MemoryDatabase, Transaction
from adapters.memory.repositories import (
    MemoryFileRepository,
    MemoryGuessRepository,
    MemoryOutbox,
    MemoryPlaySetRepository,
    MemoryResumableUploadRepository,
    MemoryServiceKeyRepository,
    MemorySettingsRepository,
    MemoryTrafficRepository,
    MemoryUserRepository,
    MemoryVideoRepository,
)
from vod_core.ports.unit_of_work import ReadUnitOfWork, UnitOfWork


class MemoryReadUnitOfWork(ReadUnitOfWork):
    """Every repository over a transaction holding the database's lock; nothing it writes is ever kept."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db
        self._bind(Transaction(db))

    def _bind(self, tx: Transaction) -> None:
        self._tx = tx
        self.videos = MemoryVideoRepository(tx)
        self.play_sets = MemoryPlaySetRepository(tx)
        self.files = MemoryFileRepository(tx)
        self.users = MemoryUserRepository(tx)
        self.settings = MemorySettingsRepository(tx)
        self.traffic = MemoryTrafficRepository(tx)
        self.outbox = MemoryOutbox(tx)
        self.guesses = MemoryGuessRepository(tx)
        self.service_keys = MemoryServiceKeyRepository(tx)
        self.resumable_uploads = MemoryResumableUploadRepository(tx)

    async def __aenter__(self) -> MemoryReadUnitOfWork:
        await self._db.lock.acquire()
        self._bind(Transaction(self._db))
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._bind(Transaction(self._db))  # uncommitted writes are dropped
        self._db.lock.release()


class MemoryUnitOfWork(MemoryReadUnitOfWork, UnitOfWork):
    """A read unit of work that can also commit what it wrote."""

    async def __aenter__(self) -> MemoryUnitOfWork:
        await super().__aenter__()
        return self

    async def commit(self) -> None:
        self._tx.commit()
