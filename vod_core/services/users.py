"""Users and API keys: create, list, rotate keys, disable, authenticate, bootstrap the default user."""

from __future__ import annotations

from vod_core.errors import AccessDenied, InternalError, InvalidParameter, UniqueViolation
from vod_core.ports.unit_of_work import UnitOfWork
from vod_core.services.context import Context
from vod_core.services.failures import fails_as
from vod_core.services.validation import require_text
from vod_core.settings import UserSettings
from vod_core.users import ApiKey, User, UserSummary, hash_api_key

DEFAULT_USER = "default"
MAX_USER_NAME = 64


class UserAccounts:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    # Users and API keys have no code of their own (3141–3144 name video key descriptions).
    @fails_as(InternalError)
    async def create_user(self, name: str, api_key: str | None = None) -> tuple[User, str]:
        """Create a user with one API key; returns the user and the key (shown only now)."""
        require_text("name", name, max_length=MAX_USER_NAME)
        key = api_key or self._ctx.ids.new_secret()
        now = self._ctx.clock.now()
        user = User(id=self._ctx.ids.new_id(), name=name, created_at=now)
        async with self._ctx.uow() as uow:
            if await uow.users.get_by_name(name) is not None:
                raise InvalidParameter("name", "is taken by another user")
            try:
                await uow.users.add(user)
            except UniqueViolation as exc:
                raise InvalidParameter("name", "is taken by another user") from exc
            await uow.users.add_api_key(ApiKey(hash_api_key(key), user.id, now))
            await uow.settings.save(UserSettings(user.id, webhook_secret=self._ctx.ids.new_secret()))
            await uow.commit()
        return user, key

    @fails_as(InternalError)
    async def add_api_key(self, name: str) -> str:
        """A further key for an existing user (key rotation)."""
        key = self._ctx.ids.new_secret()
        async with self._ctx.uow() as uow:
            user = await self._named(uow, name)
            await uow.users.add_api_key(ApiKey(hash_api_key(key), user.id, self._ctx.clock.now()))
            await uow.commit()
        return key

    @fails_as(InternalError)
    async def list_users(self) -> list[UserSummary]:
        """Every user by name, with how many keys it has (never the keys: only their hashes are stored)."""
        async with self._ctx.reader() as uow:
            found = await uow.users.list_with_key_counts()
        return [UserSummary(user.name, user.created_at, user.disabled, count) for user, count in found]

    @fails_as(InternalError)
    async def rotate_key(self, name: str) -> str:
        """Replace every key of user ``name`` by one new key, returned (shown only now).

        The old keys, and the console sessions signed in with any key of the
        user, are gone when this returns: every process checks keys and
        sessions against the database on each request, so the next request
        with one is refused.
        """
        key = self._ctx.ids.new_secret()
        async with self._ctx.uow() as uow:
            user = await self._named(uow, name)
            await uow.users.delete_api_keys(user.id)
            await uow.sessions.delete_for_user(user.id)  # a console session made with an old key ends too
            await uow.users.add_api_key(ApiKey(hash_api_key(key), user.id, self._ctx.clock.now()))
            await uow.commit()
        return key

    @fails_as(InternalError)
    async def disable_user(self, name: str) -> None:
        """Refuse every key and console session of user ``name`` from the next request on; its data stays."""
        async with self._ctx.uow() as uow:
            user = await self._named(uow, name)
            if not user.disabled:
                user.disabled = True
                await uow.users.update(user)
                await uow.sessions.delete_for_user(user.id)
                await uow.commit()

    @staticmethod
    async def _named(uow: UnitOfWork, name: str) -> User:
        user = await uow.users.get_by_name(name)
        if user is None:
            raise InvalidParameter("name", "is not a user")
        return user

    @fails_as(InternalError)
    async def authenticate(self, api_key: str) -> User:
        """The enabled user owning ``api_key``; a missing or unknown key, or a disabled user's, is 3108 (HTTP 401)."""
        if not api_key:
            raise AccessDenied("an API key is required", unauthenticated=True)
        async with self._ctx.reader() as uow:
            user = await uow.users.user_for_key_hash(hash_api_key(api_key))
        if user is None:
            raise AccessDenied("the API key is not valid", unauthenticated=True)
        return user

    @fails_as(InternalError)
    async def ensure_default_user(self, api_key: str | None = None) -> str | None:
        """On an empty database create user ``default``; returns its key, or None if users exist."""
        async with self._ctx.uow() as uow:
            if await uow.users.count() > 0:
                return None
        try:
            _, key = await self.create_user(DEFAULT_USER, api_key)
        except InvalidParameter:
            return None  # another process created it first
        return key
