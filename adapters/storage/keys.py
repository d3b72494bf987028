"""Which strings may name a stored object: ids only, so a key is never a path or a listing prefix."""

from __future__ import annotations

import re

from vod_core.errors import NotFound
from vod_core.ids import ID_PATTERN

_KEY = re.compile(rf"^{ID_PATTERN}$")


def is_key(name: str) -> bool:
    return _KEY.match(name) is not None


def checked(key: str) -> str:
    """``key`` itself when it is an id; anything else (``../x``, ``a/b``, ``""``) is an object nobody has."""
    if not is_key(key):
        raise NotFound(f"stored file {key!r} not found")
    return key
