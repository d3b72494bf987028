from __future__ import annotations

from adapters.tortoise.errors import translated
from adapters.tortoise.mapping import SETTINGS
from adapters.tortoise.repositories.base import TortoiseRepository
from vod_core.ports.settings import SettingsRepository
from vod_core.settings import UserSettings


class TortoiseSettingsRepository(TortoiseRepository, SettingsRepository):
    @translated
    async def get(self, user_id: str) -> UserSettings | None:
        return await self._select_one(SETTINGS, "user_id = ?", [user_id])

    @translated
    async def save(self, settings: UserSettings) -> None:
        if not await self._update(SETTINGS, settings):
            await self._insert(SETTINGS, settings)
