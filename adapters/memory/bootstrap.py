"""Build a complete in-memory :class:`Vod` (fake media unless real adapters are given)."""

from __future__ import annotations

from datetime import tzinfo

from adapters.memory.database import MemoryDatabase
from adapters.memory.fake_media import FakeProber, FakeThumbnailer, FakeTranscoder
from adapters.memory.jobs import MemoryJobQueue
from adapters.memory.storage import MemoryStorage
from adapters.memory.unit_of_work import MemoryUnitOfWork
from adapters.system import PublicFileLinks, RandomIds, SystemClock
from vod_core import Context, Vod
from vod_core.ports.clock import Clock
from vod_core.ports.media import Prober, Thumbnailer, Transcoder
from vod_core.services.context import DEFAULT_ZONE


def in_memory_vod(
    *,
    clock: Clock | None = None,
    prober: Prober | None = None,
    thumbnailer: Thumbnailer | None = None,
    transcoder: Transcoder | None = None,
    zone: tzinfo = DEFAULT_ZONE,
    base_url: str = "http://127.0.0.1:8000",
    db: MemoryDatabase | None = None,
) -> tuple[Vod, MemoryJobQueue]:
    """``db`` may be passed to inspect the committed tables directly (tests)."""
    db = db or MemoryDatabase()
    jobs = MemoryJobQueue()
    ctx = Context(
        uow=lambda: MemoryUnitOfWork(db),
        storage=MemoryStorage(),
        prober=prober or FakeProber(),
        thumbnailer=thumbnailer or FakeThumbnailer(),
        transcoder=transcoder or FakeTranscoder(),
        jobs=jobs,
        clock=clock or SystemClock(),
        ids=RandomIds(),
        links=PublicFileLinks(base_url),
        zone=zone,
    )
    return Vod(ctx), jobs
