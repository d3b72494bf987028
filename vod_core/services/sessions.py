"""Console sign-in: an API key exchanged for a session that expires, ends at sign-out, and never holds the key."""

from __future__ import annotations

import hmac
from datetime import timedelta

from vod_core.errors import AccessDenied, InternalError
from vod_core.services.context import Context
from vod_core.services.failures import fails_as
from vod_core.services.users import UserAccounts
from vod_core.sessions import ConsoleSession, SignedIn, hash_session_token

SIGNED_OUT = "you are signed out; sign in again"


class ConsoleSessions:
    def __init__(self, ctx: Context, users: UserAccounts) -> None:
        self._ctx = ctx
        self._users = users

    # Sessions have no code of their own; like users and keys they fail as internal errors.
    @fails_as(InternalError)
    async def sign_in(self, api_key: str) -> SignedIn:
        """A new session of the user owning ``api_key`` (3108, HTTP 401, for a bad key).

        Sessions that expired are removed in the same transaction, so the
        table holds little more than the sessions in use.
        """
        user = await self._users.authenticate(api_key)
        token, csrf_token = self._ctx.ids.new_secret(), self._ctx.ids.new_secret()
        now = self._ctx.clock.now()
        expires_at = now + timedelta(seconds=self._ctx.session_ttl_s)
        async with self._ctx.uow() as uow:
            await uow.sessions.delete_expired(now)
            await uow.sessions.add(ConsoleSession(hash_session_token(token), user.id, csrf_token, now, expires_at))
            await uow.commit()
        return SignedIn(token, csrf_token, expires_at)

    @fails_as(InternalError)
    async def resolve(self, token: str) -> ConsoleSession:
        """The live session of ``token``: 3108 (HTTP 401) when it is unknown, ended, expired or its user disabled."""
        now = self._ctx.clock.now()
        async with self._ctx.reader() as uow:
            session = await uow.sessions.get(hash_session_token(token)) if token else None
            user = await uow.users.get(session.user_id) if session is not None else None
        if session is None or user is None or user.disabled or session.expires_at <= now:
            raise AccessDenied(SIGNED_OUT, unauthenticated=True)
        return session

    @staticmethod
    def check_csrf(session: ConsoleSession, csrf_token: str) -> None:
        """3108 unless ``csrf_token`` is the session's (compared in constant time)."""
        if not hmac.compare_digest(session.csrf_token.encode(), csrf_token.encode("utf-8", "replace")):
            raise AccessDenied("the form is out of date or came from another site (CSRF token missing or wrong)")

    @fails_as(InternalError)
    async def sign_out(self, token: str) -> None:
        """End the session of ``token`` in every process at once; an unknown token is no error."""
        async with self._ctx.uow() as uow:
            await uow.sessions.delete(hash_session_token(token))
            await uow.commit()
