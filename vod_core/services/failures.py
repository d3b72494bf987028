"""Each use case declares the contract code it fails with when an adapter's service is down.

Adapters raise one infrastructure error, :class:`~vod_core.errors.StorageUnavailable`,
whatever they were doing; only the use case knows what the caller asked for,
so only it can name the contract's internal error (API.md "Error codes")::

    @fails_as(GetVideoFailed)
    async def get_video(self, user_id: str, video_id: str) -> VideoDetails: ...

When one use case calls another (``delete_video`` calls ``delete_videos``),
the outermost declaration wins: the caller asked for the outer one.
Domain errors (3101–3108) pass through untouched.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import aclosing
from typing import Any, ParamSpec, TypeVar, overload

from vod_core.errors import InternalError, StorageUnavailable

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

DECLARED = "__fails_as__"
"""The attribute naming a decorated use case's declared failure (read by :func:`declared_failure`)."""


def _outage(error: BaseException) -> StorageUnavailable | None:
    """The outage behind ``error``: itself, or the cause an inner use case translated."""
    if isinstance(error, StorageUnavailable):
        return error
    if isinstance(error, InternalError) and isinstance(error.__cause__, StorageUnavailable):
        return error.__cause__
    return None


class fails_as:
    """Turn :class:`StorageUnavailable` raised inside the use case into ``failure``, cause chained.

    Works on coroutine methods and on async generator methods (streamed results).
    """

    def __init__(self, failure: type[InternalError]) -> None:
        self.failure = failure

    @overload
    def __call__(self, use_case: Callable[P, AsyncIterator[T]]) -> Callable[P, AsyncIterator[T]]: ...

    @overload
    def __call__(self, use_case: Callable[P, Coroutine[Any, Any, R]]) -> Callable[P, Coroutine[Any, Any, R]]: ...

    def __call__(self, use_case: Callable[P, Any]) -> Callable[P, Any]:
        wrapper: Callable[P, Any]
        if inspect.isasyncgenfunction(use_case):
            wrapper = self._streaming(use_case)
        elif inspect.iscoroutinefunction(use_case):
            wrapper = self._awaiting(use_case)
        else:
            raise TypeError(f"fails_as needs an async use case, not {use_case!r}")
        setattr(wrapper, DECLARED, self.failure)
        return wrapper

    def _awaiting(self, use_case: Callable[P, Coroutine[Any, Any, R]]) -> Callable[P, Coroutine[Any, Any, R]]:
        @functools.wraps(use_case)
        async def run(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return await use_case(*args, **kwargs)
            except (StorageUnavailable, InternalError) as exc:
                outage = _outage(exc)
                if outage is None:
                    raise
                raise self.failure() from outage

        return run

    def _streaming(self, use_case: Callable[P, AsyncIterator[T]]) -> Callable[P, AsyncIterator[T]]:
        @functools.wraps(use_case)
        async def run(*args: P.args, **kwargs: P.kwargs) -> AsyncIterator[T]:
            try:
                async with aclosing(use_case(*args, **kwargs)) as items:  # type: ignore[type-var]
                    async for item in items:
                        yield item
            except (StorageUnavailable, InternalError) as exc:
                outage = _outage(exc)
                if outage is None:
                    raise
                raise self.failure() from outage

        return run


def declared_failure(use_case: Callable[..., Any]) -> type[InternalError] | None:
    """The internal error ``use_case`` declared with :class:`fails_as`, or None."""
    failure: type[InternalError] | None = getattr(use_case, DECLARED, None)
    return failure
