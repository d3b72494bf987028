"""Webhook events given up on, for their owners to inspect (delivery itself is ``Notifications``)."""

from __future__ import annotations

from vod_core.errors import InternalError
from vod_core.events import OutboxEvent
from vod_core.services.context import Context
from vod_core.services.failures import fails_as


class DeadEvents:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    @fails_as(InternalError)  # no contract code names the outbox
    async def of_user(self, user_id: str) -> list[OutboxEvent]:
        """Events of the user given up on after retrying delivery, newest first."""
        async with self._ctx.reader() as uow:
            return await uow.outbox.dead(user_id)
