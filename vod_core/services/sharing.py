"""Sharing: set a video's shared state and password; read a shared video."""

from __future__ import annotations

import asyncio
import hmac
import math
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager
from datetime import datetime

from vod_core.errors import (
    AccessDenied,
    GetVideoFailed,
    InternalError,
    InvalidParameter,
    NotFound,
    TooManyGuesses,
    UpdateVideoFailed,
)
from vod_core.guesses import GuessPolicy, client_key
from vod_core.services.access import MediaAccess
from vod_core.services.context import Context
from vod_core.services.failures import fails_as
from vod_core.services.validation import require_id, require_text
from vod_core.services.videos import VideoDetails, owned_video, with_play_sets
from vod_core.video import MAX_SHARE_PASSWORD_LENGTH, SharedState, Video


class Turns:
    """One holder at a time per key, in this process; a key's lock lives only while someone uses it.

    Guesses of one client for one video are judged one after the other, so
    a burst of parallel guesses cannot all be judged against the same,
    not yet updated, count.
    """

    def __init__(self) -> None:
        self._locks: dict[Hashable, tuple[asyncio.Lock, int]] = {}

    def __len__(self) -> int:
        return len(self._locks)

    @asynccontextmanager
    async def turn(self, key: Hashable) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (None, 0))
        lock = lock or asyncio.Lock()
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            _, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


class Sharing:
    def __init__(self, ctx: Context, policy: GuessPolicy | None = None, *, access: MediaAccess) -> None:
        self._ctx = ctx
        self._access = access
        self._policy = policy or GuessPolicy()
        self._turns = Turns()

    @fails_as(UpdateVideoFailed)
    async def set_video_password(self, user_id: str, video_id: str, shared_state: int, password: str = "") -> None:
        require_id("id", video_id)
        if shared_state not in {s.value for s in SharedState}:
            raise InvalidParameter("shared_state", "must be 0, 1 or 2")
        require_text("password", password, max_length=MAX_SHARE_PASSWORD_LENGTH, allow_empty=True)
        if shared_state == SharedState.PASSWORD and not password:
            raise InvalidParameter("password", "is required when shared_state is 1")
        async with self._ctx.uow() as uow:
            video = await owned_video(uow, user_id, video_id)
            video.shared_state = SharedState(shared_state)
            video.share_password = password
            video.updated_at = self._ctx.clock.now()
            await uow.videos.update(video)
            await uow.commit()

    @fails_as(GetVideoFailed)
    async def get_shared_video(self, video_id: str, password: str = "", client: str = "") -> VideoDetails:
        """Public read: state 2 always, state 1 with the right password, state 0 never.

        ``client`` is the caller's network address. Wrong passwords are
        counted per client and video (:class:`~vod_core.guesses.GuessPolicy`);
        a client that must wait gets :class:`TooManyGuesses` without its
        password being looked at, and no other client is slowed down.
        """
        require_id("id", video_id)
        grants = await self._access.grants()
        async with self._ctx.reader() as uow:
            video = await uow.videos.get(video_id)
            if video is None or video.is_deleted:
                raise NotFound(f"video {video_id} not found")
            if video.shared_state == SharedState.PRIVATE:
                raise AccessDenied("this video is not shared")
            if video.shared_state == SharedState.PUBLIC:
                return (await with_play_sets(uow, [video], grants))[0]
        await self._judge_password(client_key(client), video, password)
        async with self._ctx.reader() as uow:
            return (await with_play_sets(uow, [video], grants))[0]

    @fails_as(GetVideoFailed)
    async def watch(self, video_id: str) -> VideoDetails | None:
        """What a watch page may show before any password: a public video's details, None for a password video.

        A private, missing or deleted video all raise the same
        :class:`NotFound`, so a page built on this cannot tell them apart.
        Nothing is counted as a password guess: the page asks for the
        password and sends it to :meth:`get_shared_video`.
        """
        require_id("id", video_id)
        grants = await self._access.grants()
        async with self._ctx.reader() as uow:
            video = await uow.videos.get(video_id)
            if video is None or video.is_deleted or video.shared_state == SharedState.PRIVATE:
                raise NotFound(f"video {video_id} not found")
            if video.shared_state == SharedState.PASSWORD:
                return None
            return (await with_play_sets(uow, [video], grants))[0]

    async def _judge_password(self, client: str, video: Video, password: str) -> None:
        """Let the guess through, or raise: too early for this client (nothing judged) or wrong (counted)."""
        async with self._turns.turn((client, video.id)):
            async with self._ctx.reader() as uow:
                record = await uow.guesses.get(client, video.id)
            now = self._ctx.clock.now()
            if record is not None and not self._policy.is_stale(record, now) and now < record.next_allowed_at:
                raise TooManyGuesses(math.ceil((record.next_allowed_at - now).total_seconds()))
            if not _same_password(video, password):
                await self._count_wrong_guess(client, video.id, now)
                raise AccessDenied("wrong password")
            if record is not None:
                await self._forget_guesses(client, video.id)

    async def _count_wrong_guess(self, client: str, video_id: str, now: datetime) -> None:
        async with self._ctx.uow() as uow:
            failures = await uow.guesses.add_failure(client, video_id, now, now - self._policy.forget_after)
            await uow.guesses.hold(client, video_id, now + self._policy.delay(failures))
            await uow.commit()

    async def _forget_guesses(self, client: str, video_id: str) -> None:
        async with self._ctx.uow() as uow:
            await uow.guesses.clear(client, video_id)
            await uow.commit()

    @fails_as(InternalError)
    async def forget_stale_guesses(self) -> int:
        """Remove the wrong-guess records nobody added to for ``forget_after``; returns how many (maintenance)."""
        async with self._ctx.uow() as uow:
            removed = await uow.guesses.delete_stale(self._ctx.clock.now() - self._policy.forget_after)
            await uow.commit()
        return removed


def _same_password(video: Video, given: str) -> bool:
    return hmac.compare_digest(video.share_password.encode("utf-8"), given.encode("utf-8"))
