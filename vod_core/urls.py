"""Callback URL rules: those of :mod:`vod_core.url_guard`, reported as 3101 naming ``url``."""

from __future__ import annotations

from vod_core.errors import InvalidParameter
from vod_core.url_guard import UnsafeUrl, check_url


def check_callback_url(url: str, *, allow_private: bool) -> str:
    try:
        check_url(url, allow_private=allow_private)
    except UnsafeUrl as exc:
        raise InvalidParameter("url", str(exc)) from None
    return url
