"""Console sessions: a person signed in with an API key, known to the browser by a random token.

Only the token's SHA-256 is stored (like API keys: a long random secret
needs no slow hash), so a copy of the database signs nobody in.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ConsoleSession:
    token_hash: str
    user_id: str
    csrf_token: str
    """Sent back by the page with every state-changing request; bound to this session only."""
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class SignedIn:
    """What signing in hands the browser: the cookie's token (shown only now) and the page's CSRF token."""

    token: str
    csrf_token: str
    expires_at: datetime


def hash_session_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
