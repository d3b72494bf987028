from __future__ import annotations

from types import TracebackType
from typing import Protocol

from vod_core.ports.files import FileRepository
from vod_core.ports.outbox import EventOutbox
from vod_core.ports.play_sets import PlaySetRepository
from vod_core.ports.settings import SettingsRepository
from vod_core.ports.traffic import TrafficRepository
from vod_core.ports.users import UserRepository
from vod_core.ports.videos import VideoRepository


class UnitOfWork(Protocol):
    """One transaction over every repository.

    ``async with uow:`` opens it; leaving the block without ``commit()``
    rolls back, so a use case that raises changes nothing.
    """

    videos: VideoRepository
    play_sets: PlaySetRepository
    files: FileRepository
    users: UserRepository
    settings: SettingsRepository
    traffic: TrafficRepository
    outbox: EventOutbox

    async def __aenter__(self) -> UnitOfWork: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...
