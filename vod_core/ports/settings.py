from __future__ import annotations

from typing import Protocol

from vod_core.settings import UserSettings


class SettingsRepository(Protocol):
    async def get(self, user_id: str) -> UserSettings | None: ...

    async def save(self, settings: UserSettings) -> None: ...
