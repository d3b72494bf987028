"""Build a :class:`Vod` from in-memory parts (fake media unless real adapters are given)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo

from adapters.memory.database import MemoryDatabase
from adapters.memory.fake_media import FakeProber, FakeThumbnailer, FakeTranscoder
from adapters.memory.jobs import MemoryJobQueue
from adapters.memory.storage import MemoryStorage
from adapters.memory.unit_of_work import MemoryReadUnitOfWork, MemoryUnitOfWork
from adapters.system import PublicFileLinks, RandomIds, SystemClock
from vod_core import Context, Vod
from vod_core.ports.clock import Clock
from vod_core.ports.jobs import JobQueue
from vod_core.ports.media import Prober, Thumbnailer, Transcoder
from vod_core.ports.storage import ObjectStorage
from vod_core.ports.unit_of_work import ReadUnitOfWork, UnitOfWork
from vod_core.services.context import DEFAULT_ZONE

DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def in_memory_context(
    uow: Callable[[], UnitOfWork],
    *,
    read_uow: Callable[[], ReadUnitOfWork] | None = None,
    jobs: JobQueue | None = None,
    storage: ObjectStorage | None = None,
    clock: Clock | None = None,
    prober: Prober | None = None,
    thumbnailer: Thumbnailer | None = None,
    transcoder: Transcoder | None = None,
    zone: tzinfo = DEFAULT_ZONE,
    base_url: str = DEFAULT_BASE_URL,
) -> Context:
    """A context over the given units of work; every other port in memory or fake unless given.

    For tests and tools that put the core over a real database but need no
    real media, storage or queue.
    """
    return Context(
        uow=uow,
        read_uow=read_uow,
        storage=storage or MemoryStorage(),
        prober=prober or FakeProber(),
        thumbnailer=thumbnailer or FakeThumbnailer(),
        transcoder=transcoder or FakeTranscoder(),
        jobs=jobs or MemoryJobQueue(),
        clock=clock or SystemClock(),
        ids=RandomIds(),
        links=PublicFileLinks(base_url),
        zone=zone,
    )


def in_memory_vod(
    *,
    clock: Clock | None = None,
    prober: Prober | None = None,
    thumbnailer: Thumbnailer | None = None,
    transcoder: Transcoder | None = None,
    zone: tzinfo = DEFAULT_ZONE,
    base_url: str = DEFAULT_BASE_URL,
    db: MemoryDatabase | None = None,
) -> tuple[Vod, MemoryJobQueue]:
    """Everything in memory. ``db`` may be passed to inspect the committed tables directly (tests)."""
    db = db or MemoryDatabase()
    jobs = MemoryJobQueue()
    ctx = in_memory_context(
        lambda: MemoryUnitOfWork(db),
        read_uow=lambda: MemoryReadUnitOfWork(db),
        jobs=jobs,
        clock=clock,
        prober=prober,
        thumbnailer=thumbnailer,
        transcoder=transcoder,
        zone=zone,
        base_url=base_url,
    )
    return Vod(ctx), jobs
