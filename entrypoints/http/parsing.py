"""Turn query strings and JSON bodies into typed values, or 3101 naming the field.

Strict on purpose: a JSON ``true`` is not the integer 1, ``"1"`` is not a
bool, and a query integer is digits only (no ``+1``, ``1.0`` or spaces), so
clients learn about their mistakes instead of getting surprising results.
JSON ``null`` for an optional field means "not given". Text that cannot be
encoded as UTF-8 (lone surrogates from ``\\ud800`` JSON escapes) is refused
here, before it can reach a database driver.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sanic import Request

from vod_core.errors import InvalidParameter
from vod_core.services.validation import Page

INT32_MAX = 2**31 - 1
MAX_TIMESTAMP = 32_503_680_000  # 3000-01-01: far enough, and safe for every date conversion
_QUERY_INT = re.compile(r"-?[0-9]{1,18}")


def _utf8(field: str, value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidParameter(field, "must be valid UTF-8 text") from None
    return value


def _arg(request: Request, name: str) -> str | None:
    """A query value; a blank one (``?page=``) is a value, not an absent parameter."""
    value: str | None = request.get_args(keep_blank_values=True).get(name)
    return value


def query_text(request: Request, name: str, *, required: bool = False, default: str = "") -> str:
    """A query parameter as text; absent → ``default`` (or 3101 when required)."""
    value = _arg(request, name)
    if value is None:
        if required:
            raise InvalidParameter(name, "is required")
        return default
    return _utf8(name, value)


def query_optional_text(request: Request, name: str) -> str | None:
    value = _arg(request, name)
    return None if value is None else _utf8(name, value)


def query_int(
    request: Request,
    name: str,
    default: int | None = None,
    *,
    minimum: int = -INT32_MAX,
    maximum: int = INT32_MAX,
) -> int:
    """A query integer: optional sign and digits only, within ``[minimum, maximum]``."""
    raw = _arg(request, name)
    if raw is None:
        if default is None:
            raise InvalidParameter(name, "is required")
        return default
    if not _QUERY_INT.fullmatch(raw):
        raise InvalidParameter(name, "must be an integer")
    value = int(raw)
    if not minimum <= value <= maximum:
        raise InvalidParameter(name, f"must be between {minimum} and {maximum}")
    return value


def query_timestamp(request: Request, name: str) -> int:
    """Unix seconds, required."""
    return query_int(request, name, minimum=0, maximum=MAX_TIMESTAMP)


def query_optional_timestamp(request: Request, name: str) -> int | None:
    if _arg(request, name) is None:
        return None
    return query_timestamp(request, name)


def query_page(request: Request, default_size: int) -> Page:
    """``page`` and ``page_size`` with the contract's defaults and ranges."""
    page = query_int(request, "page", 1)
    size = query_int(request, "page_size", default_size)
    return Page(page, size)


class JsonBody:
    """The fields of a JSON object body, read one typed field at a time."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    @classmethod
    def of(cls, request: Request) -> JsonBody:
        """Parse the body as a JSON object; an empty body is an empty object."""
        raw = request.body
        if not raw or not raw.strip():
            return cls({})
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            raise InvalidParameter("body", "is not valid JSON") from None
        if not isinstance(data, dict):
            raise InvalidParameter("body", "must be a JSON object")
        return cls(data)

    def _get(self, name: str, required: bool) -> Any:
        value = self._data.get(name)
        if value is None and required:
            raise InvalidParameter(name, "is required")
        return value

    def _text(self, name: str, required: bool) -> str | None:
        value = self._get(name, required)
        if value is None:
            return None
        if not isinstance(value, str):
            raise InvalidParameter(name, "must be a string")
        return _utf8(name, value)

    def text(self, name: str) -> str | None:
        return self._text(name, False)

    def required_text(self, name: str) -> str:
        return self._text(name, True) or ""

    def boolean(self, name: str, default: bool = False) -> bool:
        value = self._get(name, False)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise InvalidParameter(name, "must be true or false")
        return value

    def required_integer(self, name: str) -> int:
        value = self._get(name, True)
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidParameter(name, "must be an integer")
        return value

    def integer_list(self, name: str) -> list[int]:
        value = self._get(name, True)
        if not isinstance(value, list) or any(isinstance(v, bool) or not isinstance(v, int) for v in value):
            raise InvalidParameter(name, "must be a list of integers")
        return value
