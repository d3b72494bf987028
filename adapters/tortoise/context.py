"""Making one database's Tortoise context the current one, per task.

Tortoise 1.x looks connections up through the *current* ``TortoiseContext``
(a context variable) when a transaction starts. Several databases may be
open in one process, so each :class:`TortoiseDatabase` owns a context and
activates it around its own work. ``TortoiseContext.__enter__`` keeps its
reset token on the shared context object, which breaks when tasks overlap;
:func:`activate` keeps the token with the caller instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import Token

from tortoise.context import TortoiseContext, _current_context

ActivationToken = Token[TortoiseContext | None]


def activate(context: TortoiseContext) -> ActivationToken:
    return _current_context.set(context)


def deactivate(token: ActivationToken) -> None:
    _current_context.reset(token)


@contextmanager
def activated(context: TortoiseContext) -> Iterator[None]:
    token = activate(context)
    try:
        yield
    finally:
        deactivate(token)
