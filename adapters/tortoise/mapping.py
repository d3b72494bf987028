"""Domain dataclasses <-> rows, derived from the dataclasses themselves.

A table's columns are its dataclass's fields (same names, same order,
``dataclasses.fields``), plus the columns the adapter derives from them
(``video_name_folded``). How a value is stored follows the field's type:

- ``datetime``: UTC (``TIMESTAMPTZ`` on PostgreSQL; on SQLite ISO text,
  which sorts correctly only when every value has the same offset); read
  back timezone-aware, from a ``datetime`` (asyncpg) or text (SQLite);
- ``IntEnum``: its number; ``bool``: a boolean (0/1 on SQLite);
- ``list``/``dict``: JSON text (portable, and only ever read whole);
- anything else as is.

Rows are read by column name (asyncpg ``Record``, ``sqlite3.Row``), never by
position. The schema itself is written out in the migrations.
"""

from __future__ import annotations

import json
import types
from collections.abc import Callable, Mapping
from dataclasses import fields
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any, Generic, TypeVar, Union, get_args, get_origin, get_type_hints

from vod_core.events import OutboxEvent
from vod_core.files import StoredFile
from vod_core.guesses import WrongGuesses
from vod_core.play_set import PlaySet
from vod_core.resumable import ResumableUpload
from vod_core.search import fold_name
from vod_core.settings import UserSettings
from vod_core.users import ApiKey, User
from vod_core.video import Video

T = TypeVar("T")
Convert = Callable[[Any], Any]


def utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment} cannot be stored")
    return moment.astimezone(UTC)


def moment(value: Any) -> datetime:
    """A stored timestamp, timezone-aware (UTC)."""
    stamp = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)


def _same(value: Any) -> Any:
    return value


def _json_decoder(hint: Any) -> Convert:
    """JSON text -> ``hint`` (``list[int]``, ``dict[EventCategory, str]``, ``dict[str, Any]``)."""
    args = get_args(hint)
    if get_origin(hint) is list:
        item = args[0] if args and args[0] is not Any else _same
        return lambda text: [item(value) for value in json.loads(text)]
    key = args[0] if args and args[0] not in (str, Any) else _same
    return lambda text: {key(k): v for k, v in json.loads(text).items()}


def _codec(hint: Any) -> tuple[Convert, Convert]:
    """(domain -> column, column -> domain) for a field of type ``hint``."""
    if get_origin(hint) in (Union, types.UnionType):
        present = [arg for arg in get_args(hint) if arg is not type(None)]
        encode, decode = _codec(present[0])
        return (lambda v: None if v is None else encode(v)), (lambda v: None if v is None else decode(v))
    if hint is datetime:
        return utc, moment
    if isinstance(hint, type) and issubclass(hint, IntEnum):
        return int, lambda v: hint(int(v))
    if hint is bool:
        return bool, bool
    if hint is float:
        return float, float
    if get_origin(hint) in (list, dict):
        return (lambda v: json.dumps(v, ensure_ascii=False)), _json_decoder(hint)
    return _same, _same


class Table(Generic[T]):
    """One table holding one dataclass: its column list, SQL and conversions."""

    def __init__(
        self,
        name: str,
        entity: type[T],
        key: str = "id",
        derived: Mapping[str, Callable[[T], Any]] | None = None,
    ) -> None:
        self.name = name
        self.entity = entity
        self.key = key
        self._derived = dict(derived or {})
        hints = get_type_hints(entity)
        self.fields = tuple(f.name for f in fields(entity))  # type: ignore[arg-type]
        self._codecs = {name: _codec(hints[name]) for name in self.fields}
        self.columns = self.fields + tuple(self._derived)
        self.select = ", ".join(self.fields)
        """The column list to ``SELECT`` for :meth:`load`."""

    def values(self, entity: T) -> dict[str, Any]:
        """Every column's value for ``entity``, in :attr:`columns` order."""
        values = {name: self._codecs[name][0](getattr(entity, name)) for name in self.fields}
        values.update({name: column(entity) for name, column in self._derived.items()})
        return values

    def load(self, row: Mapping[str, Any]) -> T:
        """The dataclass of a row selected with :attr:`select`."""
        return self.entity(**{name: self._codecs[name][1](row[name]) for name in self.fields})

    def insert(self, entity: T) -> tuple[str, list[Any]]:
        values = self.values(entity)
        marks = ", ".join("?" * len(values))
        return f"INSERT INTO {self.name} ({', '.join(values)}) VALUES ({marks})", list(values.values())

    def update(self, entity: T) -> tuple[str, list[Any]]:
        """``UPDATE`` every column but the key, of the row with ``entity``'s key."""
        values = self.values(entity)
        key = values.pop(self.key)
        assignments = ", ".join(f"{column} = ?" for column in values)
        return f"UPDATE {self.name} SET {assignments} WHERE {self.key} = ?", [*values.values(), key]


VIDEOS = Table[Video]("video", Video, derived={"video_name_folded": lambda video: fold_name(video.video_name)})
"""``video_name_folded`` is what the name search searches (:mod:`vod_core.search`, migration m0005)."""
PLAY_SETS = Table("play_set", PlaySet)
FILES = Table("stored_file", StoredFile)
USERS = Table("vod_user", User)  # "user" is reserved in PostgreSQL
API_KEYS = Table("api_key", ApiKey, key="key_hash")
SETTINGS = Table("user_settings", UserSettings, key="user_id")
OUTBOX = Table("outbox_event", OutboxEvent)
RESUMABLE_UPLOADS = Table("resumable_upload", ResumableUpload)
GUESSES = Table("password_guess", WrongGuesses, key="client")  # keyed by (client, video_id); never updated whole
