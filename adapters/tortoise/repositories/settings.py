from __future__ import annotations

from adapters.tortoise.errors import translated
from adapters.tortoise.mapping import settings_columns, to_settings
from adapters.tortoise.repositories.base import TortoiseRepository
from vod_core.ports.settings import SettingsRepository
from vod_core.settings import UserSettings


class TortoiseSettingsRepository(TortoiseRepository, SettingsRepository):
    @translated
    async def get(self, user_id: str) -> UserSettings | None:
        row = await self._models.settings.filter(user_id=user_id).using_db(self._db).first()
        return None if row is None else to_settings(row)

    @translated
    async def save(self, settings: UserSettings) -> None:
        columns = settings_columns(settings)
        user_id = columns.pop("user_id")
        updated = await self._models.settings.filter(user_id=user_id).using_db(self._db).update(**columns)
        if not updated:
            await self._models.settings.create(using_db=self._db, user_id=user_id, **columns)
