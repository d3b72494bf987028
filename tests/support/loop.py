"""Waiting for background tasks without waiting on time."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def until(condition: Callable[[], object], turns: int = 10_000) -> None:
    """Let other tasks run until ``condition()`` holds.

    For tasks that only await each other (no I/O, no timers) a bounded number
    of event-loop turns must suffice; running out means they are stuck.
    """
    for _ in range(turns):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("background work did not reach the expected point")
