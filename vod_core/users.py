"""Users and their API keys."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime


@dataclass
class User:
    id: str
    name: str
    created_at: datetime
    disabled: bool = False
    """A disabled user's API keys are refused (HTTP 401); nothing else of it changes."""


@dataclass(frozen=True)
class UserSummary:
    """What ``vod user list`` shows of a user: never a key, only how many it has."""

    name: str
    created_at: datetime
    disabled: bool
    key_count: int


@dataclass
class ApiKey:
    """An API key, kept only as its hash.

    Keys are long random strings, so a plain SHA-256 is enough: there is no
    low-entropy secret for a slow hash to protect.
    """

    key_hash: str
    user_id: str
    created_at: datetime


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()
