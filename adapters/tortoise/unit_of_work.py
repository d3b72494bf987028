"""The Tortoise unit of work: one database transaction over every repository."""

from __future__ import annotations

import logging
from types import TracebackType

from tortoise.backends.base.client import BaseDBAsyncClient, TransactionalDBClient, TransactionContext
from tortoise.context import TortoiseContext
from tortoise.transactions import in_transaction

from adapters.tortoise.errors import DRIVER_ERRORS
from adapters.tortoise.overrides import ActivationToken, activate, deactivate
from adapters.tortoise.repositories import (
    TortoiseFileRepository,
    TortoiseGuessRepository,
    TortoiseOutbox,
    TortoisePlaySetRepository,
    TortoiseResumableUploadRepository,
    TortoiseServiceKeyRepository,
    TortoiseSettingsRepository,
    TortoiseUserRepository,
    TortoiseVideoRepository,
)
from adapters.tortoise.traffic import TortoiseTrafficRepository
from vod_core.errors import StorageUnavailable
from vod_core.ports.files import FileRepository
from vod_core.ports.guesses import GuessRepository
from vod_core.ports.outbox import EventOutbox
from vod_core.ports.play_sets import PlaySetRepository
from vod_core.ports.resumable_uploads import ResumableUploadRepository
from vod_core.ports.service_keys import ServiceKeyRepository
from vod_core.ports.settings import SettingsRepository
from vod_core.ports.traffic import TrafficRepository
from vod_core.ports.unit_of_work import ReadUnitOfWork, UnitOfWork
from vod_core.ports.users import UserRepository
from vod_core.ports.videos import VideoRepository

log = logging.getLogger(__name__)


class TransactionFailed(StorageUnavailable):
    """The transaction itself could not be opened or committed (the database is unreachable or busy)."""


class _Repositories:
    """Every repository over one connection, bound when the unit of work is entered."""

    videos: VideoRepository
    play_sets: PlaySetRepository
    files: FileRepository
    users: UserRepository
    settings: SettingsRepository
    traffic: TrafficRepository
    outbox: EventOutbox
    guesses: GuessRepository
    service_keys: ServiceKeyRepository
    resumable_uploads: ResumableUploadRepository

    def __init__(self, context: TortoiseContext, connection_name: str) -> None:
        self._context = context
        self._connection_name = connection_name

    def _bind(self, connection: BaseDBAsyncClient) -> None:
        self.videos = TortoiseVideoRepository(connection)
        self.play_sets = TortoisePlaySetRepository(connection)
        self.files = TortoiseFileRepository(connection)
        self.users = TortoiseUserRepository(connection)
        self.settings = TortoiseSettingsRepository(connection)
        self.traffic = TortoiseTrafficRepository(connection)
        self.outbox = TortoiseOutbox(connection)
        self.guesses = TortoiseGuessRepository(connection)
        self.service_keys = TortoiseServiceKeyRepository(connection)
        self.resumable_uploads = TortoiseResumableUploadRepository(connection)


class TortoiseUnitOfWork(_Repositories, UnitOfWork):
    """``async with uow:`` opens a transaction; leaving without ``commit()`` rolls it back."""

    async def __aenter__(self) -> TortoiseUnitOfWork:
        self._activation: ActivationToken = activate(self._context)
        self._finished = False
        try:
            self._transaction: TransactionContext = in_transaction(self._connection_name)
            self._connection: TransactionalDBClient = await self._transaction.__aenter__()
        except DRIVER_ERRORS as exc:
            deactivate(self._activation)
            log.error("cannot begin a transaction on %s", self._connection_name, exc_info=exc)
            raise TransactionFailed(f"cannot begin a transaction on {self._connection_name}") from exc
        self._bind(self._connection)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if not self._finished:
                self._finished = True
                await self._connection.rollback()
        except DRIVER_ERRORS as rollback_error:
            # The transaction is gone with its connection; nothing was committed.
            log.warning("rollback on %s failed", self._connection_name, exc_info=rollback_error)
        finally:
            try:
                # Finalized already: this only hands the connection back (pool / lock).
                await self._transaction.__aexit__(exc_type, exc, tb)
            finally:
                deactivate(self._activation)

    async def commit(self) -> None:
        if self._finished:
            raise RuntimeError("this unit of work was already committed")
        try:
            await self._connection.commit()
        except DRIVER_ERRORS as exc:
            log.error("commit on %s failed", self._connection_name, exc_info=exc)
            raise TransactionFailed(f"commit on {self._connection_name} failed") from exc
        finally:
            self._finished = True


class TortoiseReadUnitOfWork(_Repositories, ReadUnitOfWork):
    """The same repositories over a connection that only reads committed data; no transaction.

    ``reader`` is what the database hands out for reading (see
    :meth:`adapters.tortoise.database.TortoiseDatabase.read_unit_of_work`):
    on SQLite a :class:`~adapters.tortoise.sqlite_reader.SqliteReadClient`
    (its own ``query_only`` connections in WAL mode: never the writer's
    connection, so never another task's uncommitted rows, and no write lock);
    on PostgreSQL the connection pool itself, where every statement runs in
    autocommit at READ COMMITTED on whichever pooled connection is free. A
    transaction would add two round trips (``BEGIN``, ``ROLLBACK``) and pin a
    connection for the whole unit of work, for a guarantee no read-only use
    case needs: each statement sees committed data, statements of one unit
    of work may see different commits (e.g. a page and a count taken on
    either side of an insert). Writes through it fail on SQLite; on
    PostgreSQL they would autocommit, so it has no ``commit`` (the type
    checker rejects one) and the use cases that write never open a reader.
    """

    def __init__(self, context: TortoiseContext, connection_name: str, reader: BaseDBAsyncClient) -> None:
        super().__init__(context, connection_name)
        self._reader = reader

    async def __aenter__(self) -> TortoiseReadUnitOfWork:
        self._activation = activate(self._context)
        self._bind(self._reader)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        deactivate(self._activation)
