"""Blocking file work off the event loop, for the adapters that read and write local files."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


async def in_thread(func: Callable[..., T], *args: object) -> T:
    """``func(*args)`` in the loop's default thread pool, so a multi-GB file does not stall the loop."""
    return await asyncio.get_running_loop().run_in_executor(None, func, *args)
