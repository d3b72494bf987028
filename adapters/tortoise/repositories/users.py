from __future__ import annotations

from adapters.tortoise.errors import translated
from adapters.tortoise.mapping import API_KEYS, USERS
from adapters.tortoise.repositories.base import TortoiseRepository
from adapters.tortoise.sql import execute, fetch
from vod_core.ports.users import UserRepository
from vod_core.users import ApiKey, User

OWNS_KEY = "id IN (SELECT user_id FROM api_key WHERE key_hash = ?) AND disabled = ?"
KEY_COUNTS = (
    f"SELECT {USERS.select}, (SELECT COUNT(*) FROM api_key k WHERE k.user_id = u.id) AS key_count"
    f" FROM {USERS.name} u ORDER BY name"
)


class TortoiseUserRepository(TortoiseRepository, UserRepository):
    @translated
    async def add(self, user: User) -> None:
        await self._insert(USERS, user)

    @translated
    async def get(self, user_id: str) -> User | None:
        return await self._select_one(USERS, "id = ?", [user_id])

    @translated
    async def get_by_name(self, name: str) -> User | None:
        return await self._select_one(USERS, "name = ?", [name])

    @translated
    async def count(self) -> int:
        rows = await fetch(self._db, f"SELECT COUNT(*) AS n FROM {USERS.name}")
        return int(rows[0]["n"])

    @translated
    async def add_api_key(self, key: ApiKey) -> None:
        await self._insert(API_KEYS, key)

    @translated
    async def user_for_key_hash(self, key_hash: str) -> User | None:
        return await self._select_one(USERS, OWNS_KEY, [key_hash, False])

    @translated
    async def update(self, user: User) -> None:
        await self._update(USERS, user)

    @translated
    async def delete_api_keys(self, user_id: str) -> int:
        return await execute(self._db, f"DELETE FROM {API_KEYS.name} WHERE user_id = ?", [user_id])

    @translated
    async def list_with_key_counts(self) -> list[tuple[User, int]]:
        rows = await fetch(self._db, KEY_COUNTS)
        return [(USERS.load(row), int(row["key_count"])) for row in rows]
