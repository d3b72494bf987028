from __future__ import annotations

from typing import Protocol

from vod_core.users import ApiKey, User

USER_NAME = "user_name"
"""Uniqueness rule: user names are unique."""


class UserRepository(Protocol):
    async def add(self, user: User) -> None:
        """Raises UniqueViolation(USER_NAME)."""
        ...

    async def get(self, user_id: str) -> User | None: ...

    async def get_by_name(self, name: str) -> User | None: ...

    async def count(self) -> int: ...

    async def add_api_key(self, key: ApiKey) -> None: ...

    async def user_for_key_hash(self, key_hash: str) -> User | None:
        """The enabled user owning the key; None for an unknown key or a disabled user."""
        ...

    async def update(self, user: User) -> None: ...

    async def delete_api_keys(self, user_id: str) -> int:
        """Remove every key of the user; returns how many there were."""
        ...

    async def list_with_key_counts(self) -> list[tuple[User, int]]:
        """Every user (disabled ones too) with the number of its keys, by name."""
        ...
