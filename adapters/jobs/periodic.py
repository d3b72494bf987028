"""Run a round of background work repeatedly: again at once while it finds work, else after a pause.

Stopping lets the round in progress finish instead of cancelling it: a
round may be in the middle of a Redis command, and redis-py does not
recover cleanly from a cancellation there.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Round = Callable[[], Awaitable[int]]
"""One round of work; returns how many items it handled (0 = nothing to do)."""


class PeriodicRunner:
    def __init__(self, name: str, round_: Round, *, interval_s: float = 1.0) -> None:
        self._name = name
        self._round = round_
        self._interval_s = interval_s
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._loop(), name=self._name)

    async def stop(self) -> None:
        """Return after the round in progress, if any, has finished."""
        if self._task is not None:
            self._stopping = True
            self._wake.set()
            await self._task
            self._task = None

    async def _loop(self) -> None:
        while not self._stopping:
            try:
                handled = await self._round()
            except Exception:
                log.exception("%s: round failed; retrying after %.1f s", self._name, self._interval_s)
                handled = 0
            if handled or self._stopping:
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval_s)
