"""A user's preferences: auto-transcode templates and callback URLs.

They are stored as the ``UserSettings`` entity; process configuration is
``entrypoints.config.Config``.
"""

from __future__ import annotations

from collections.abc import Sequence

from vod_core.errors import (
    DeleteTransConfigFailed,
    GetTransConfigFailed,
    InternalError,
    InvalidParameter,
    SaveTransConfigFailed,
)
from vod_core.ports.unit_of_work import ReadUnitOfWork
from vod_core.services.context import Context
from vod_core.services.failures import fails_as
from vod_core.services.transcoding import template_for
from vod_core.settings import EventCategory, UserSettings
from vod_core.urls import check_callback_url

MAX_URL_LENGTH = 2048


def category_for(event: str) -> EventCategory:
    try:
        return EventCategory(event)
    except ValueError:
        raise InvalidParameter("event", "must be 'video' or 'transcoding'") from None


class Preferences:
    def __init__(self, ctx: Context, allow_private_callbacks: bool = False) -> None:
        self._ctx = ctx
        self._allow_private_callbacks = allow_private_callbacks

    async def _load(self, uow: ReadUnitOfWork, user_id: str) -> UserSettings:
        settings = await uow.settings.get(user_id)
        return settings or UserSettings(user_id, webhook_secret=self._ctx.ids.new_secret())

    # Callbacks and the webhook secret have no code of their own; only templates do (3151–3153).
    @fails_as(InternalError)
    async def get_settings(self, user_id: str) -> UserSettings:
        async with self._ctx.reader() as uow:
            return await self._load(uow, user_id)

    @fails_as(SaveTransConfigFailed)
    async def save_trans_config(self, user_id: str, template_ids: Sequence[int]) -> list[int]:
        """The templates every new video starts with (unless ``skip_auto_trans``)."""
        for template_id in template_ids:
            template_for(template_id, "task_config_temp_ids")
        unique = list(dict.fromkeys(template_ids))
        async with self._ctx.uow() as uow:
            settings = await self._load(uow, user_id)
            settings.auto_trans_template_ids = unique
            await uow.settings.save(settings)
            await uow.commit()
        return unique

    @fails_as(DeleteTransConfigFailed)
    async def delete_trans_config(self, user_id: str) -> None:
        await self.save_trans_config(user_id, [])

    @fails_as(GetTransConfigFailed)
    async def get_trans_config(self, user_id: str) -> list[int]:
        return (await self.get_settings(user_id)).auto_trans_template_ids

    @fails_as(InternalError)
    async def set_callback(self, user_id: str, event: str, url: str) -> None:
        category = category_for(event)
        if len(url) > MAX_URL_LENGTH:
            raise InvalidParameter("url", f"must be at most {MAX_URL_LENGTH} characters")
        check_callback_url(url, allow_private=self._allow_private_callbacks)
        async with self._ctx.uow() as uow:
            settings = await self._load(uow, user_id)
            settings.callbacks[category] = url
            await uow.settings.save(settings)
            await uow.commit()

    @fails_as(InternalError)
    async def delete_callback(self, user_id: str, event: str) -> None:
        category = category_for(event)
        async with self._ctx.uow() as uow:
            settings = await self._load(uow, user_id)
            settings.callbacks.pop(category, None)
            await uow.settings.save(settings)
            await uow.commit()

    @fails_as(InternalError)
    async def rotate_webhook_secret(self, user_id: str) -> str:
        """Replace the user's signing secret by a new one, returned; every delivery from now on, retries
        of older events included, is signed with it (the secret is read when a delivery is sent)."""
        async with self._ctx.uow() as uow:
            settings = await self._load(uow, user_id)
            settings.webhook_secret = self._ctx.ids.new_secret()
            await uow.settings.save(settings)
            await uow.commit()
        return settings.webhook_secret
