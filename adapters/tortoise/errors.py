"""Driver errors -> StorageUnavailable; unique-index violations -> UniqueViolation.

Every repository method is wrapped with :func:`translated`: the caller sees
either :class:`vod_core.errors.UniqueViolation` (a domain rule the write
would break) or :class:`vod_core.errors.StorageUnavailable` with the driver's
exception chained as ``__cause__`` and logged here, once, where the
statement is still known. Which contract code the client gets is the use
case's choice (:mod:`vod_core.services.failures`), never the adapter's.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sqlite3
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

import asyncpg  # type: ignore[import-untyped]
from tortoise.exceptions import BaseORMException, IntegrityError

from vod_core.errors import StorageUnavailable, UniqueViolation
from vod_core.ports.play_sets import LIVE_TEMPLATE
from vod_core.ports.users import USER_NAME
from vod_core.ports.videos import LIVE_STORAGE_ID

log = logging.getLogger(__name__)

UNIQUE_INDEXES = {
    "uq_video_live_storage": LIVE_STORAGE_ID,
    "uq_play_set_live_template": LIVE_TEMPLATE,
    "uq_user_name": USER_NAME,
}
"""Index name (both dialects) -> the domain's uniqueness rule."""

# SQLite names the columns, not the index: "UNIQUE constraint failed: video.user_id, video.storage_id".
_SQLITE_COLUMNS = {
    "video.user_id, video.storage_id": LIVE_STORAGE_ID,
    "play_set.video_id, play_set.template_id": LIVE_TEMPLATE,
    "vod_user.name": USER_NAME,
}

DRIVER_ERRORS: tuple[type[BaseException], ...] = (
    BaseORMException,
    sqlite3.Error,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    OSError,
    asyncio.TimeoutError,
)


def violated_rule(error: IntegrityError) -> str | None:
    """The domain uniqueness rule ``error`` breaks, or None for any other integrity error."""
    for cause in (error, *error.args, error.__cause__):
        constraint = getattr(cause, "constraint_name", None)
        if constraint in UNIQUE_INDEXES:
            return UNIQUE_INDEXES[constraint]
    message = str(error)
    for columns, rule in _SQLITE_COLUMNS.items():
        if message.endswith(f"UNIQUE constraint failed: {columns}"):
            return rule
    return None


P = ParamSpec("P")
R = TypeVar("R")


def unavailable(where: str, error: BaseException) -> StorageUnavailable:
    """Log ``error`` (with its traceback) and return the StorageUnavailable to raise from it."""
    log.error("database failure in %s", where, exc_info=error)
    return StorageUnavailable(f"database failure in {where}: {type(error).__name__}")


def translated(method: Callable[P, Coroutine[Any, Any, R]]) -> Callable[P, Coroutine[Any, Any, R]]:
    """Run a repository method, raising StorageUnavailable (cause chained, logged) when the database fails."""

    @functools.wraps(method)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await method(*args, **kwargs)
        except IntegrityError as exc:
            rule = violated_rule(exc)
            if rule is not None:
                raise UniqueViolation(rule) from exc
            raise unavailable(method.__qualname__, exc) from exc
        except DRIVER_ERRORS as exc:
            raise unavailable(method.__qualname__, exc) from exc

    return run
