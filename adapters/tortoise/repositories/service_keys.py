from __future__ import annotations

from adapters.tortoise.errors import translated
from adapters.tortoise.repositories.base import TortoiseRepository
from adapters.tortoise.sql import execute, fetch
from vod_core.ports.service_keys import ServiceKeyRepository

ADD_IF_ABSENT = "INSERT INTO service_key (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING"


class TortoiseServiceKeyRepository(TortoiseRepository, ServiceKeyRepository):
    @translated
    async def get(self, name: str) -> str | None:
        rows = await fetch(self._db, "SELECT value FROM service_key WHERE name = ?", [name])
        return str(rows[0]["value"]) if rows else None

    @translated
    async def add_if_absent(self, name: str, value: str) -> None:
        await execute(self._db, ADD_IF_ABSENT, [name, value])
