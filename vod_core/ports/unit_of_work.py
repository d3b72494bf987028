from __future__ import annotations

from types import TracebackType
from typing import Protocol

from vod_core.ports.files import FileRepository
from vod_core.ports.guesses import GuessRepository
from vod_core.ports.outbox import EventOutbox
from vod_core.ports.play_sets import PlaySetRepository
from vod_core.ports.resumable_uploads import ResumableUploadRepository
from vod_core.ports.service_keys import ServiceKeyRepository
from vod_core.ports.settings import SettingsRepository
from vod_core.ports.traffic import TrafficRepository
from vod_core.ports.users import UserRepository
from vod_core.ports.videos import VideoRepository


class ReadUnitOfWork(Protocol):
    """Every repository, to read committed data with; it has no ``commit``.

    Use cases that only read open one through ``Context.reader()``; an
    adapter may serve it without a write transaction. Writing through it is
    a programming error that the type checker reports (no ``commit``) and
    the adapters refuse at run time where they can.
    """

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

    async def __aenter__(self) -> ReadUnitOfWork: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class UnitOfWork(ReadUnitOfWork, Protocol):
    """One transaction over every repository.

    ``async with uow:`` opens it; leaving the block without ``commit()``
    rolls back, so a use case that raises changes nothing.
    """

    async def __aenter__(self) -> UnitOfWork: ...

    async def commit(self) -> None: ...
