"""What an id looks like, for every layer that checks one (validation, file URLs, storage keys)."""

from __future__ import annotations

MAX_ID_LENGTH = 32
"""The store's id columns are this wide; generated ids have 10 characters."""

ID_PATTERN = rf"[A-Za-z0-9_-]{{1,{MAX_ID_LENGTH}}}"
"""A storage id or a key of the object store (a regular expression, unanchored)."""
