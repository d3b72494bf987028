from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from adapters.tortoise.models import ModelSet, models_for


class TortoiseRepository:
    """Holds the transaction's connection and the model classes of its database."""

    def __init__(self, connection: BaseDBAsyncClient) -> None:
        self._db = connection
        self._models: ModelSet = models_for(connection)
