"""ORM models: the columns of each table, as abstract Tortoise models.

Tortoise binds a model class to one database when it is initialised: the
dialect of its base query (``?`` or ``$1`` placeholders) is fixed then. Two
databases open in one process (SQLite and PostgreSQL in the tests) therefore
need their own classes: :func:`define_models` makes a fresh concrete set per
:class:`~adapters.tortoise.database.TortoiseDatabase`, and repositories find
theirs with :func:`models_for` by connection name. The schema itself is
created by the versioned migrations, never by ``generate_schemas``.
"""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass, fields
from typing import Any, TypeVar

from tortoise import fields as f
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

ID = 32  # ids are generated (10 base-36 characters); keys are SHA-256 hex
TEXT = 255


class VideoRow(Model):
    id = f.CharField(max_length=ID, primary_key=True)
    user_id = f.CharField(max_length=ID)
    storage_id = f.CharField(max_length=ID)
    video_name = f.CharField(max_length=TEXT)
    created_at = f.DatetimeField()
    updated_at = f.DatetimeField()
    source_type = f.CharField(max_length=TEXT)
    source_id = f.CharField(max_length=TEXT)
    status = f.SmallIntField()
    thumb_storage_id = f.CharField(max_length=ID)
    file_size = f.BigIntField()
    video_width = f.IntField()
    video_height = f.IntField()
    video_duration = f.BigIntField()
    shared_state = f.SmallIntField()
    share_password = f.CharField(max_length=TEXT)
    skip_auto_trans = f.BooleanField()
    failure_reason = f.TextField()

    class Meta:
        abstract = True


class PlaySetRow(Model):
    id = f.CharField(max_length=ID, primary_key=True)
    video_id = f.CharField(max_length=ID)
    user_id = f.CharField(max_length=ID)
    template_id = f.IntField()
    resolution = f.CharField(max_length=TEXT)
    created_at = f.DatetimeField()
    updated_at = f.DatetimeField()
    status = f.SmallIntField()
    trans_progress = f.FloatField()
    storage_id = f.CharField(max_length=ID)
    file_size = f.BigIntField()
    video_width = f.IntField()
    video_height = f.IntField()
    video_duration = f.BigIntField()
    failure_reason = f.TextField()

    class Meta:
        abstract = True


class StoredFileRow(Model):
    id = f.CharField(max_length=ID, primary_key=True)
    user_id = f.CharField(max_length=ID)
    filename = f.CharField(max_length=TEXT)
    size = f.BigIntField()
    content_type = f.CharField(max_length=TEXT)
    created_at = f.DatetimeField()
    video_id = f.CharField(max_length=ID)
    deleted = f.BooleanField()

    class Meta:
        abstract = True


class UserRow(Model):
    id = f.CharField(max_length=ID, primary_key=True)
    name = f.CharField(max_length=TEXT)
    created_at = f.DatetimeField()

    class Meta:
        abstract = True


class ApiKeyRow(Model):
    key_hash = f.CharField(max_length=64, primary_key=True)
    user_id = f.CharField(max_length=ID)
    created_at = f.DatetimeField()

    class Meta:
        abstract = True


class SettingsRow(Model):
    """Lists and maps are JSON text: portable, and only ever read whole."""

    user_id = f.CharField(max_length=ID, primary_key=True)
    webhook_secret = f.CharField(max_length=TEXT)
    auto_trans_template_ids = f.TextField()
    callbacks = f.TextField()

    class Meta:
        abstract = True


class OutboxRow(Model):
    id = f.CharField(max_length=ID, primary_key=True)
    user_id = f.CharField(max_length=ID)
    event_type = f.CharField(max_length=64)
    payload = f.TextField()
    created_at = f.DatetimeField()
    next_attempt_at = f.DatetimeField()
    state = f.SmallIntField()
    attempts = f.IntField()
    last_error = f.TextField()
    delivered_at = f.DatetimeField(null=True)

    class Meta:
        abstract = True


@dataclass(frozen=True)
class ModelSet:
    """One database's concrete model classes (see the module docstring)."""

    video: type[VideoRow]
    play_set: type[PlaySetRow]
    stored_file: type[StoredFileRow]
    user: type[UserRow]
    api_key: type[ApiKeyRow]
    settings: type[SettingsRow]
    outbox: type[OutboxRow]

    def register_module(self, name: str) -> None:
        """Publish the classes as module ``name`` (Tortoise's config takes module paths only)."""
        module = types.ModuleType(name)
        module.__models__ = [getattr(self, field.name) for field in fields(self)]  # type: ignore[attr-defined]
        sys.modules[name] = module


_M = TypeVar("_M", bound=Model)
_bound: dict[str, ModelSet] = {}


def _concrete(abstract: type[_M], table: str) -> type[_M]:
    meta = type("Meta", (), {"table": table})
    namespace: dict[str, Any] = {"Meta": meta, "__module__": __name__}
    return type(abstract.__name__, (abstract,), namespace)


def define_models(connection_name: str) -> ModelSet:
    """Fresh concrete classes for the database behind ``connection_name``."""
    models = ModelSet(
        video=_concrete(VideoRow, "video"),
        play_set=_concrete(PlaySetRow, "play_set"),
        stored_file=_concrete(StoredFileRow, "stored_file"),
        user=_concrete(UserRow, "vod_user"),  # "user" is reserved in PostgreSQL
        api_key=_concrete(ApiKeyRow, "api_key"),
        settings=_concrete(SettingsRow, "user_settings"),
        outbox=_concrete(OutboxRow, "outbox_event"),
    )
    _bound[connection_name] = models
    models.register_module(models_module(connection_name))
    return models


def models_module(connection_name: str) -> str:
    return f"{__name__}_{connection_name}"


def forget_models(connection_name: str) -> None:
    _bound.pop(connection_name, None)
    sys.modules.pop(models_module(connection_name), None)


def models_for(connection: BaseDBAsyncClient) -> ModelSet:
    """The model classes of the database ``connection`` (or its transaction) belongs to."""
    return _bound[connection.connection_name]
