"""What every use case needs: the ports and the service settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import tzinfo
from zoneinfo import ZoneInfo

from vod_core.job_retries import JobRetryPolicy
from vod_core.ports.clock import Clock
from vod_core.ports.ids import IdGenerator
from vod_core.ports.jobs import JobQueue
from vod_core.ports.links import MediaLinks
from vod_core.ports.media import Prober, Thumbnailer, Transcoder
from vod_core.ports.partial_uploads import PartialUploads
from vod_core.ports.sources import SourceFetcher
from vod_core.ports.storage import ObjectStorage
from vod_core.ports.unit_of_work import ReadUnitOfWork, UnitOfWork

DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024**3
DEFAULT_TIME_ZONE = "Asia/Shanghai"
DEFAULT_URL_TTL_S = 6 * 3600
DEFAULT_UNLINKED_TTL_S = 24 * 3600
DEFAULT_SESSION_TTL_S = 12 * 3600
DEFAULT_ZONE = ZoneInfo(DEFAULT_TIME_ZONE)


@dataclass
class Context:
    """The composition root builds one of these; use cases only read it."""

    uow: Callable[[], UnitOfWork]
    storage: ObjectStorage
    prober: Prober
    thumbnailer: Thumbnailer
    transcoder: Transcoder
    jobs: JobQueue
    clock: Clock
    ids: IdGenerator
    links: MediaLinks
    sources: SourceFetcher
    """Fetches originals of videos created from a URL."""
    partial_uploads: PartialUploads
    """The bytes of unfinished resumable uploads (tus)."""
    zone: tzinfo = DEFAULT_ZONE
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    job_retries: JobRetryPolicy = field(default_factory=JobRetryPolicy)
    """When failed background jobs run again and when they are given up (the queues follow it too)."""
    allow_private_urls: bool = False
    """Source URLs may point to loopback and private addresses (``VOD_ALLOW_PRIVATE_URLS``)."""
    url_signing_key: str = ""
    """The key of signed media URLs; empty: the deployment's generated key, stored in the database."""
    url_ttl_s: int = DEFAULT_URL_TTL_S
    """Lifetime of the signed media URLs handed out."""
    unlinked_ttl_s: int = DEFAULT_UNLINKED_TTL_S
    """Seconds an upload that no video uses is kept."""
    session_ttl_s: int = DEFAULT_SESSION_TTL_S
    """Lifetime of a console session from its sign-in."""
    read_uow: Callable[[], ReadUnitOfWork] | None = None
    """Units of work for use cases that only read. An adapter may serve them
    without a write transaction (e.g. without SQLite's write lock), as long
    as they see committed data only. Defaults to ``uow``."""

    def reader(self) -> ReadUnitOfWork:
        """A unit of work to read with (it has no ``commit``)."""
        return (self.read_uow or self.uow)()
