"""Checks of caller input shared by the use cases; each failure is 3101 naming the field."""

from __future__ import annotations

from dataclasses import dataclass

from vod_core.errors import InvalidParameter
from vod_core.ids import MAX_ID_LENGTH

MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class Page:
    """``page`` ≥ 1 and ``page_size`` 1..100, as the contract requires."""

    page: int = 1
    page_size: int = 15

    def __post_init__(self) -> None:
        if self.page < 1:
            raise InvalidParameter("page", "must be at least 1")
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise InvalidParameter("page_size", f"must be between 1 and {MAX_PAGE_SIZE}")

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


def require_text(field: str, value: str, *, max_length: int, allow_empty: bool = False) -> str:
    """Reject empty (unless allowed), over-long, control-character and non-Unicode text.

    Stores refuse some of these (PostgreSQL has no NUL in text; a lone
    surrogate cannot be encoded), so they are caught here as 3101 first.
    """
    if not allow_empty and not value.strip():
        raise InvalidParameter(field, "must not be empty")
    if len(value) > max_length:
        raise InvalidParameter(field, f"must be at most {max_length} characters")
    if any(ord(ch) < 32 and ch not in "\t" for ch in value) or "\x7f" in value:
        raise InvalidParameter(field, "must not contain control characters")
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        raise InvalidParameter(field, "must be valid Unicode text")
    return value


def require_id(field: str, value: str) -> str:
    return require_text(field, value, max_length=MAX_ID_LENGTH)
