"""Sharing: set a video's shared state and password; read a shared video."""

from __future__ import annotations

import hmac
from collections import deque
from datetime import timedelta

from vod_core.errors import AccessDenied, GetVideoFailed, InvalidParameter, NotFound, UpdateVideoFailed
from vod_core.ports.clock import Clock
from vod_core.services.access import MediaAccess
from vod_core.services.context import Context
from vod_core.services.failures import fails_as
from vod_core.services.validation import require_id, require_text
from vod_core.services.videos import VideoDetails, owned_video, with_play_sets
from vod_core.video import MAX_SHARE_PASSWORD_LENGTH, SharedState


class PasswordThrottle:
    """Refuses guesses for a video after ``limit`` wrong passwords within ``window``.

    Kept in memory per process: losing it on restart only resets the count.
    """

    def __init__(self, clock: Clock, limit: int = 5, window: timedelta = timedelta(minutes=1)) -> None:
        self._clock = clock
        self._limit = limit
        self._window = window
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, video_id: str) -> deque[float]:
        horizon = self._clock.now().timestamp() - self._window.total_seconds()
        failures = self._failures.get(video_id, deque())
        while failures and failures[0] <= horizon:
            failures.popleft()
        if not failures:
            self._failures.pop(video_id, None)
        return failures

    def is_blocked(self, video_id: str) -> bool:
        return len(self._recent(video_id)) >= self._limit

    def record_failure(self, video_id: str) -> None:
        failures = self._recent(video_id)
        failures.append(self._clock.now().timestamp())
        self._failures[video_id] = failures


class Sharing:
    def __init__(self, ctx: Context, throttle: PasswordThrottle | None = None, *, access: MediaAccess) -> None:
        self._ctx = ctx
        self._access = access
        self._throttle = throttle or PasswordThrottle(ctx.clock)

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
    async def get_shared_video(self, video_id: str, password: str = "") -> VideoDetails:
        """Public read: state 2 always, state 1 with the right password, state 0 never."""
        require_id("id", video_id)
        grants = await self._access.grants()
        async with self._ctx.reader() as uow:
            video = await uow.videos.get(video_id)
            if video is None or video.is_deleted:
                raise NotFound(f"video {video_id} not found")
            if video.shared_state == SharedState.PRIVATE:
                raise AccessDenied("this video is not shared")
            if video.shared_state == SharedState.PASSWORD:
                self._check_password(video.id, video.share_password, password)
            return (await with_play_sets(uow, [video], grants))[0]

    def _check_password(self, video_id: str, expected: str, given: str) -> None:
        if self._throttle.is_blocked(video_id):
            raise AccessDenied("too many wrong passwords for this video; try again later")
        if not hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8")):
            self._throttle.record_failure(video_id)
            raise AccessDenied("wrong password")
