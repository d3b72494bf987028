"""The Tortoise engine module of the SQLite database (``engine`` in the connection config).

Tortoise loads an engine by module path and takes its ``client_class``:
here :class:`~adapters.tortoise.overrides.ImmediateSqliteClient`, whose
transactions begin with ``BEGIN IMMEDIATE``. Use cases that only read do
not come here: they open read units of work, served by
:mod:`adapters.tortoise.sqlite_reader` without the write lock.
"""

from __future__ import annotations

from adapters.tortoise.overrides import ImmediateSqliteClient

BUSY_TIMEOUT_MS = 10_000

client_class = ImmediateSqliteClient
