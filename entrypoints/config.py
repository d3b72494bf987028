"""Service settings from the environment (API.md "Settings").

Every setting has a default so the service starts on a fresh machine with
no configuration at all; a malformed value stops the start with a message
naming the variable instead of failing later in some adapter.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from vod_core.services.context import (
    DEFAULT_MAX_UPLOAD_BYTES,
    DEFAULT_SESSION_TTL_S,
    DEFAULT_TIME_ZONE,
    DEFAULT_UNLINKED_TTL_S,
    DEFAULT_URL_TTL_S,
)

Profile = Literal["server", "memory"]
"""What :func:`entrypoints.bootstrap.bootstrap` builds by default.

``server``: the database at ``database_url`` (SQLite under ``data_dir``
when empty), stored files under ``data_dir``, real media (PyAV).
``memory``: an in-memory database and storage and fake media, for
embedding the core and for tests; nothing touches the disk.
"""
LOG_FORMATS = ("text", "json")
DEFAULT_CACHE_BYTES = 20 * 1024**3
DEFAULT_OUTAGE_RETRY_S = 24 * 3600
S3_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
"""S3's rule for bucket names (3-63 lowercase letters, digits, dots, hyphens)."""


class ConfigError(ValueError):
    """A setting that cannot be used; the message names the variable."""


@dataclass(frozen=True)
class Config:
    """How one process is configured (from ``VOD_*`` variables); not a user's preferences."""

    profile: Profile = "server"
    data_dir: str = "./vod-data"
    database_url: str = ""
    redis_url: str = ""
    redis_prefix: str = "vod:"
    host: str = "127.0.0.1"
    port: int = 8000
    public_base_url: str = ""
    default_api_key: str = ""
    timezone: str = DEFAULT_TIME_ZONE
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    webhook_allow_private: bool = False
    allow_private_urls: bool = False
    """Source URLs (upload from URL) and callbacks may point to loopback and private addresses."""
    request_head_timeout_s: int = 10
    """Whole seconds a client has to send the request line and headers (Sanic's own timeout is idle-only)."""
    metrics_token: str = ""
    """When set, ``GET /metrics`` wants ``Authorization: Bearer <token>``."""
    metrics_port: int = 0
    """``vod worker`` serves its own ``/metrics`` on this port (0: none)."""
    log_format: str = "text"
    orphan_grace_s: int = 3600
    """Stored objects without a file row are removed once this many seconds old (``VOD_ORPHAN_GRACE``)."""
    job_takeover_s: int = 60
    """A job whose worker went silent this many seconds is taken over by another worker (``VOD_JOB_TAKEOVER``)."""
    url_signing_key: str = ""
    """The key of signed media URLs; empty: generated on first start and stored in the database."""
    url_ttl_s: int = DEFAULT_URL_TTL_S
    unlinked_ttl_s: int = DEFAULT_UNLINKED_TTL_S
    console_session_ttl_s: int = DEFAULT_SESSION_TTL_S
    """VOD_CONSOLE_SESSION_TTL: seconds a console sign-in lasts."""
    storage_url: str = ""
    """``s3://BUCKET/PREFIX`` (VOD_STORAGE_URL); empty: stored files under ``data_dir``."""
    s3_endpoint_url: str = ""
    """A non-AWS S3-compatible store (VOD_S3_ENDPOINT_URL); empty: AWS."""
    cache_bytes: int = DEFAULT_CACHE_BYTES
    """Bound of the local copies of objects media tools read (VOD_CACHE_BYTES), with S3 storage."""
    job_outage_retry_s: int = DEFAULT_OUTAGE_RETRY_S
    """How long a background job is retried while the store or database is unavailable (VOD_JOB_OUTAGE_RETRY_S)."""

    @classmethod
    def in_memory(cls, **fields: Any) -> Config:
        """The ``memory`` profile; ``fields`` as for the constructor (e.g. ``public_base_url``)."""
        return cls(profile="memory", **fields)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Config:
        env = os.environ if env is None else env
        host = env.get("VOD_HOST") or cls.host
        raw_port = env.get("VOD_PORT", "").strip()
        port = port_number("VOD_PORT", raw_port) if raw_port else cls.port
        config = cls(
            data_dir=os.path.abspath(env.get("VOD_DATA_DIR") or cls.data_dir),
            database_url=env.get("VOD_DATABASE_URL", ""),
            redis_url=env.get("VOD_REDIS_URL", ""),
            redis_prefix=_redis_prefix(env),
            host=host,
            port=port,
            public_base_url=(env.get("VOD_PUBLIC_BASE_URL") or "").rstrip("/"),
            default_api_key=env.get("VOD_DEFAULT_API_KEY", ""),
            timezone=env.get("VOD_TIMEZONE") or cls.timezone,
            max_upload_bytes=_int(env, "VOD_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES, minimum=1),
            webhook_allow_private=_flag(env, "VOD_WEBHOOK_ALLOW_PRIVATE"),
            allow_private_urls=_flag(env, "VOD_ALLOW_PRIVATE_URLS"),
            request_head_timeout_s=_int(env, "VOD_REQUEST_HEAD_TIMEOUT", cls.request_head_timeout_s, minimum=1),
            metrics_token=env.get("VOD_METRICS_TOKEN", ""),
            metrics_port=_int(env, "VOD_METRICS_PORT", 0, minimum=0, maximum=65535),
            log_format=_choice(env, "VOD_LOG_FORMAT", LOG_FORMATS),
            orphan_grace_s=_int(env, "VOD_ORPHAN_GRACE", cls.orphan_grace_s, minimum=60),
            job_takeover_s=_int(env, "VOD_JOB_TAKEOVER", cls.job_takeover_s, minimum=1),
            url_signing_key=env.get("VOD_URL_SIGNING_KEY", ""),
            url_ttl_s=_int(env, "VOD_URL_TTL", DEFAULT_URL_TTL_S, minimum=1),
            unlinked_ttl_s=_int(env, "VOD_UNLINKED_TTL", DEFAULT_UNLINKED_TTL_S, minimum=1),
            console_session_ttl_s=_int(env, "VOD_CONSOLE_SESSION_TTL", DEFAULT_SESSION_TTL_S, minimum=1),
            storage_url=env.get("VOD_STORAGE_URL", "").strip(),
            s3_endpoint_url=_endpoint_url(env),
            cache_bytes=_int(env, "VOD_CACHE_BYTES", DEFAULT_CACHE_BYTES, minimum=1),
            job_outage_retry_s=_int(env, "VOD_JOB_OUTAGE_RETRY_S", DEFAULT_OUTAGE_RETRY_S, minimum=60),
        )
        config.zone()  # fail at start on an unknown zone
        if config.s3_location() is not None and config.cache_bytes < config.max_upload_bytes:
            raise ConfigError(
                f"VOD_CACHE_BYTES: {config.cache_bytes} is less than VOD_MAX_UPLOAD_BYTES ({config.max_upload_bytes}):"
                " the largest source a worker transcodes must fit in its cache"
            )
        return config

    @property
    def private_callbacks(self) -> bool:
        """Callbacks may be private: ``VOD_WEBHOOK_ALLOW_PRIVATE=1`` or ``VOD_ALLOW_PRIVATE_URLS=1``."""
        return self.webhook_allow_private or self.allow_private_urls

    def zone(self) -> tzinfo:
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(f"VOD_TIMEZONE: unknown time zone {self.timezone!r}") from exc

    def s3_location(self) -> tuple[str, str] | None:
        """(bucket, prefix) of ``storage_url``, or None for local files."""
        if not self.storage_url:
            return None
        parts = urlsplit(self.storage_url)
        if parts.scheme != "s3" or not S3_BUCKET.fullmatch(parts.netloc) or parts.query or parts.fragment:
            raise ConfigError(f"VOD_STORAGE_URL: expected s3://BUCKET/PREFIX, got {self.storage_url!r}")
        return parts.netloc, parts.path.strip("/")

    def base_url(self, port: int | None = None) -> str:
        """The public prefix of media URLs; defaults to where the server listens."""
        if self.public_base_url:
            return self.public_base_url
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port if port is None else port}"


def port_number(name: str, raw: str) -> int:
    """A TCP port (0 = any free one) given as ``name`` (a variable or an option)."""
    return _whole_number(name, raw.strip(), minimum=0, maximum=65535)


def _int(env: Mapping[str, str], name: str, default: int, *, minimum: int, maximum: int | None = None) -> int:
    raw = env.get(name, "").strip()
    return _whole_number(name, raw, minimum=minimum, maximum=maximum) if raw else default


def _whole_number(name: str, raw: str, *, minimum: int, maximum: int | None = None) -> int:
    if not raw.isdigit():
        raise ConfigError(f"{name}: expected a whole number, got {raw!r}")
    value = int(raw)
    if value < minimum or (maximum is not None and value > maximum):
        raise ConfigError(f"{name}: {value} is out of range")
    return value


def _endpoint_url(env: Mapping[str, str]) -> str:
    raw = env.get("VOD_S3_ENDPOINT_URL", "").strip().rstrip("/")
    if not raw:
        return ""
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(f"VOD_S3_ENDPOINT_URL: expected http(s)://HOST[:PORT], got {raw!r}")
    return raw


def _redis_prefix(env: Mapping[str, str]) -> str:
    """Every Redis key starts with it, so deployments (and test runs) can share one Redis."""
    raw = env.get("VOD_REDIS_PREFIX")
    if raw is None or raw == "":
        return Config.redis_prefix
    if any(c.isspace() for c in raw):
        raise ConfigError(f"VOD_REDIS_PREFIX: must not contain white space, got {raw!r}")
    return raw


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    """One of ``choices`` (the first is the default)."""
    raw = env.get(name, "").strip().lower() or choices[0]
    if raw not in choices:
        raise ConfigError(f"{name}: expected one of {', '.join(choices)}, got {raw!r}")
    return raw


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, "0").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{name}: expected 0 or 1, got {raw!r}")
