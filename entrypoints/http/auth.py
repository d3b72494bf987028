"""``Authorization: Bearer <api key>`` → the calling user's id (3108/401 otherwise)."""

from __future__ import annotations

from sanic import Request

from entrypoints.http.resources import resources
from vod_core.errors import AccessDenied
from vod_core.users import hash_api_key

SCHEME = "bearer"


def bearer_key(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, key = header.strip().partition(" ")
    # Keys are printable ASCII; anything else (bytes decoded as surrogates) is simply not a key.
    if scheme.lower() != SCHEME or not key.strip() or not key.isascii() or not key.strip().isprintable():
        raise AccessDenied("an API key is required: Authorization: Bearer <key>", unauthenticated=True)
    return key.strip()


async def user_id(request: Request) -> str:
    """The id of the user owning the request's API key."""
    key = bearer_key(request)
    res = resources(request)
    key_hash = hash_api_key(key)
    cached = res.keys.get(key_hash)
    if cached is not None:
        return cached
    user = await res.vod.users.authenticate(key)
    res.keys.put(key_hash, user.id)
    return user.id
