"""Conditional requests (RFC 9110 §13): ``If-None-Match``, ``If-Modified-Since`` and ``If-Range``.

Validators are the file's strong ``ETag`` and its ``Last-Modified`` (whole
seconds, as sent). A header we cannot parse is ignored, as the RFC says.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def _http_date(value: str) -> datetime | None:
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _seconds(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def _opaque(tag: str) -> str:
    """The opaque part of an entity tag, weak or strong (``W/"x"`` and ``"x"`` both give ``"x"``)."""
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def not_modified(if_none_match: str | None, if_modified_since: str | None, etag: str, last_modified: datetime) -> bool:
    """True when a GET/HEAD may be answered 304. ``etag`` is the quoted tag the response carries.

    ``If-None-Match`` (weak comparison) wins; ``If-Modified-Since`` is read
    only without it.
    """
    if if_none_match is not None:
        tags = [_opaque(t) for t in if_none_match.split(",") if t.strip()]
        return "*" in tags or _opaque(etag) in tags
    if if_modified_since is not None:
        since = _http_date(if_modified_since)
        return since is not None and _seconds(last_modified) <= since
    return False


def range_applies(if_range: str | None, etag: str, last_modified: datetime) -> bool:
    """Whether a ``Range`` is honoured given ``If-Range``: only when the validator still matches.

    An entity tag matches by strong comparison (a weak tag never does); a
    date matches only the exact ``Last-Modified``. Otherwise the whole file
    is sent (200).
    """
    if if_range is None:
        return True
    value = if_range.strip()
    if value.startswith("W/"):
        return False
    if value.startswith('"'):
        return value == etag
    moment = _http_date(value)
    return moment is not None and moment == _seconds(last_modified)
