"""Callback URL rules: http(s) only, and no private targets unless allowed."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from vod_core.errors import InvalidParameter

LOCAL_HOST_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


def is_private_address(host: str) -> bool:
    """True for loopback, private, link-local, reserved and unspecified IP literals and local names.

    Names that resolve to private addresses are caught again at send time
    by the webhook sender, which checks the address it actually connects to.
    """
    name = host.strip("[]").lower().rstrip(".")
    if name in LOCAL_HOST_NAMES or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    return not address.is_global


def check_callback_url(url: str, *, allow_private: bool) -> str:
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise InvalidParameter("url", "is not a valid URL") from None
    if parts.scheme not in ("http", "https"):
        raise InvalidParameter("url", "must be an http or https URL")
    if not host:
        raise InvalidParameter("url", "must name a host")
    if parts.username or parts.password:
        raise InvalidParameter("url", "must not carry credentials")
    if not allow_private and is_private_address(host):
        raise InvalidParameter("url", "must not point to a private or loopback address")
    return url
