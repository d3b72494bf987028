"""``Authorization: Bearer <api key>``, or the console's session cookie → the calling user's id (3108/401 otherwise).

Every request looks its key up in the database (one indexed read on the
reader, which takes no write lock: about 0.16 ms on SQLite). There is no
cache in front of it on purpose: ``vod user rotate-key`` and ``vod user
disable`` run in another process, and a key they revoke must be refused by
every serving process on the very next request.
"""

from __future__ import annotations

from sanic import Request

from entrypoints.http.console.session import console_session, session_token
from entrypoints.http.resources import resources
from vod_core.errors import AccessDenied

SCHEME = "bearer"


def bearer_key(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, key = header.strip().partition(" ")
    # Keys are printable ASCII; anything else (bytes decoded as surrogates) is simply not a key.
    if scheme.lower() != SCHEME or not key.strip() or not key.isascii() or not key.strip().isprintable():
        raise AccessDenied("an API key is required: Authorization: Bearer <key>", unauthenticated=True)
    return key.strip()


async def user_id(request: Request) -> str:
    """The id of the user owning the request's API key, or of its console session.

    An ``Authorization`` header always wins. Without one, the console's
    session cookie stands for the key, and a request that changes state
    must carry the session's CSRF token as well.
    """
    if "authorization" not in request.headers and session_token(request):
        return (await console_session(request)).user_id
    user = await resources(request).vod.users.authenticate(bearer_key(request))
    return user.id
