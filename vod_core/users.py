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
