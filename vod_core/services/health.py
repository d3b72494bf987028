"""Liveness: the service answers and its database reads."""

from __future__ import annotations

from vod_core.errors import InternalError
from vod_core.services.context import Context
from vod_core.services.failures import fails_as


class Health:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    @fails_as(InternalError)  # a failed probe is the service's failure, not a video's
    async def check(self) -> None:
        """Read one cheap query through a read unit of work; raises when the database does not answer.

        A read unit of work takes no write lock (a writing one would queue
        every probe behind the writers on SQLite, and slow them down).
        """
        async with self._ctx.reader() as uow:
            await uow.users.count()
