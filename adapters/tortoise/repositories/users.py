from __future__ import annotations

from adapters.tortoise.errors import translated
from adapters.tortoise.mapping import USER_COLUMNS, api_key_columns, to_user, user_columns, user_from_row
from adapters.tortoise.repositories.base import TortoiseRepository
from adapters.tortoise.sql import fetch
from vod_core.ports.users import UserRepository
from vod_core.users import ApiKey, User

USER_FOR_KEY = (
    f"SELECT {USER_COLUMNS} FROM vod_user WHERE id IN (SELECT user_id FROM api_key WHERE key_hash = ?) LIMIT 1"
)


class TortoiseUserRepository(TortoiseRepository, UserRepository):
    @translated
    async def add(self, user: User) -> None:
        await self._models.user.create(using_db=self._db, **user_columns(user))

    @translated
    async def get(self, user_id: str) -> User | None:
        row = await self._models.user.filter(id=user_id).using_db(self._db).first()
        return None if row is None else to_user(row)

    @translated
    async def get_by_name(self, name: str) -> User | None:
        row = await self._models.user.filter(name=name).using_db(self._db).first()
        return None if row is None else to_user(row)

    @translated
    async def count(self) -> int:
        return await self._models.user.all().using_db(self._db).count()

    @translated
    async def add_api_key(self, key: ApiKey) -> None:
        await self._models.api_key.create(using_db=self._db, **api_key_columns(key))

    @translated
    async def user_for_key_hash(self, key_hash: str) -> User | None:
        rows = await fetch(self._db, USER_FOR_KEY, [key_hash])
        return user_from_row(rows[0]) if rows else None
