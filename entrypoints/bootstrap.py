"""The one composition root: configuration (+ overrides) → adapters → :class:`Vod`.

``vod serve``, ``vod worker``, every other ``vod`` command, the tests and
the embedding example all build the service with :func:`bootstrap`, so they
cannot disagree about where the database, the stored files, the media
tools or the job queue are. What differs between them is said up front:
``Config.profile`` picks the defaults (``server`` or ``memory``) and
keyword overrides replace single parts at construction — a test's clock,
storage or transcoder — instead of being patched in afterwards.

Nothing here does I/O: :meth:`Runtime.open` connects (and migrates),
:meth:`Runtime.close` releases what :func:`bootstrap` created (overrides
belong to the caller). A process has at most one Redis client (one
connection pool), shared by the job queue, the traffic feed and the
webhook dispatcher's lock.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from types import TracebackType
from typing import Protocol

from obstore.store import S3Store
from redis.asyncio import Redis

from adapters.jobs.inprocess import InProcessJobQueue
from adapters.jobs.traffic_feed import InProcessTrafficFeed
from adapters.media import PyAVProber, PyAVThumbnailer, PyAVTranscoder
from adapters.memory import MemoryBackend
from adapters.memory.fake_media import FakeProber, FakeThumbnailer, FakeTranscoder
from adapters.memory.storage import MemoryStorage
from adapters.metrics import MeteredWebhookSender
from adapters.notify.webhooks import AiohttpWebhookSender
from adapters.partial_uploads import LocalPartialUploads, MemoryPartialUploads
from adapters.partial_uploads.s3 import S3PartialUploads
from adapters.redis.jobs import RedisJobQueue
from adapters.redis.traffic_feed import RedisTrafficConsumer
from adapters.sources import AiohttpSourceFetcher
from adapters.storage import LocalStorage
from adapters.storage.s3 import S3Storage, open_s3_store
from adapters.system import PublicFileLinks, RandomIds, SystemClock
from adapters.tortoise.database import TortoiseDatabase, sqlite_url
from entrypoints.background import BackgroundServices
from entrypoints.config import Config
from entrypoints.http import Resources
from entrypoints.http.presenters import Presenter
from vod_core import Context, Vod
from vod_core.guesses import GuessPolicy
from vod_core.job_retries import JobRetryPolicy
from vod_core.ports.clock import Clock
from vod_core.ports.ids import IdGenerator
from vod_core.ports.jobs import JobQueue
from vod_core.ports.media import Prober, Thumbnailer, Transcoder
from vod_core.ports.partial_uploads import PartialUploads
from vod_core.ports.sources import SourceFetcher
from vod_core.ports.storage import ObjectStorage
from vod_core.ports.unit_of_work import ReadUnitOfWork, UnitOfWork
from vod_core.services.notifications import Notifications, RetryPolicy

STORAGE_DIR = "storage"
"""Stored files live in ``<data_dir>/storage`` (server profile)."""
PARTIAL_UPLOADS_DIR = "uploads"
"""Unfinished resumable uploads live in ``<data_dir>/uploads`` (server profile with local storage), apart from
stored files; with S3 storage they are objects under ``tus/`` in the same bucket and prefix."""
CACHE_DIR = "cache"
"""With S3 storage, local copies of objects for media tools live in ``<data_dir>/cache`` (``VOD_CACHE_BYTES``)."""


class UnitsOfWork(Protocol):
    """What the use cases need of a database: its units of work (the ``database`` override)."""

    def unit_of_work(self) -> UnitOfWork: ...

    def read_unit_of_work(self) -> ReadUnitOfWork: ...


class Database(UnitsOfWork, Protocol):
    """A database the runtime opens and closes itself: ``TortoiseDatabase`` or ``MemoryBackend``."""

    async def connect(self, migrate: bool = True) -> None: ...

    async def migrate(self) -> list[str]: ...

    async def close(self) -> None: ...


Closer = Callable[[], Awaitable[None]]


def dispatch_lock_name(redis_prefix: str) -> str:
    """The Redis key of the lock a webhook dispatch round holds (one process at a time)."""
    return f"{redis_prefix}outbox:lease"


@dataclass
class Runtime:
    """A built service: the :class:`Vod` and the adapters a process starts and stops around it.

    Use it as an async context manager (``async with bootstrap(config) as
    runtime``) to connect the database (migrating it) and release
    everything on exit. The ``*_jobs`` fields name the concrete queue
    :func:`bootstrap` built (at most one is set; none when ``jobs`` was
    overridden): :meth:`background` runs the in-process one, ``vod worker``
    the Redis one.
    """

    config: Config
    vod: Vod
    database: Database | None = None
    """The database :func:`bootstrap` built (None when it was overridden)."""
    redis: Redis | None = None
    s3_store: S3Store | None = None
    """The S3 client :func:`bootstrap` opened for ``VOD_STORAGE_URL`` (bucket and prefix applied); other
    adapters keeping bytes in the same store share it, under their own path (``tus/…``), never ``objects/``."""
    in_process_jobs: InProcessJobQueue | None = None
    redis_jobs: RedisJobQueue | None = None
    _closers: list[Closer] = field(default_factory=list)

    async def open(self, *, migrate: bool = True) -> None:
        if self.database is not None:
            await self.database.connect(migrate=migrate)
            # The URL signing key: VOD_URL_SIGNING_KEY when set, else the deployment's, created
            # and stored now on its first start (every later process reads the same row).
            if migrate:
                await self.vod.access.signer()

    async def close(self) -> None:
        for close in reversed(self._closers):
            await close()
        if self.database is not None:
            await self.database.close()

    async def __aenter__(self) -> Runtime:
        await self.open()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    def background(
        self,
        *,
        retry_policy: RetryPolicy | None = None,
        dispatch_interval_s: float = 1.0,
        webhook_timeout_s: float = 10.0,
    ) -> BackgroundServices:
        """What ``vod serve`` runs besides HTTP: in-process jobs, webhook delivery, the traffic feed."""
        policy = retry_policy or RetryPolicy()
        sender = AiohttpWebhookSender(timeout_s=webhook_timeout_s, allow_private=self.config.private_callbacks)
        notifications = Notifications(self.vod.ctx, MeteredWebhookSender(sender), policy=policy)
        traffic_consumer = dispatch_lock = None
        if self.redis is not None:
            prefix = self.config.redis_prefix
            traffic_consumer = RedisTrafficConsumer(self.redis, self.vod.traffic.ingest, prefix=prefix)
            # A round must end within the lock's timeout, as within the outbox lease.
            dispatch_lock = self.redis.lock(dispatch_lock_name(prefix), timeout=policy.lease.total_seconds())
        return BackgroundServices(
            self.vod,
            notifications,
            sender,
            traffic_feed=InProcessTrafficFeed(self.vod.traffic.ingest),
            jobs=self.in_process_jobs,
            traffic_consumer=traffic_consumer,
            dispatch_lock=dispatch_lock,
            dispatch_interval_s=dispatch_interval_s,
            orphan_grace=timedelta(seconds=self.config.orphan_grace_s),
        )


def bootstrap(
    config: Config,
    *,
    database: UnitsOfWork | None = None,
    storage: ObjectStorage | None = None,
    prober: Prober | None = None,
    thumbnailer: Thumbnailer | None = None,
    transcoder: Transcoder | None = None,
    jobs: JobQueue | None = None,
    clock: Clock | None = None,
    ids: IdGenerator | None = None,
    redis: Redis | None = None,
    guess_policy: GuessPolicy | None = None,
    sources: SourceFetcher | None = None,
    partial_uploads: PartialUploads | None = None,
    job_retries: JobRetryPolicy | None = None,
) -> Runtime:
    """Build the service for ``config``; each keyword replaces the part the profile would build.

    Overridden parts are the caller's to open and close. Without ``jobs``
    the queue is Redis when ``config.redis_url`` is set (``vod worker``
    runs it), else an :class:`InProcessJobQueue` that
    :meth:`Runtime.background` runs. Pass ``jobs=MemoryJobQueue()`` to run
    jobs deterministically with its ``drain()`` (tests, the embedding example).
    """
    memory = config.profile == "memory"
    clock = clock or SystemClock()
    job_retries = job_retries or JobRetryPolicy(outage_limit=timedelta(seconds=config.job_outage_retry_s))
    closers: list[Closer] = []
    owned: Database | None = None
    if database is None:
        database = owned = (
            MemoryBackend() if memory else TortoiseDatabase(config.database_url or sqlite_url(config.data_dir))
        )
    if redis is None and config.redis_url:
        redis = Redis.from_url(config.redis_url, decode_responses=True)
        closers.append(redis.aclose)
    s3_store = None
    if storage is None:
        if memory:
            storage = MemoryStorage()
        elif (location := config.s3_location()) is not None:
            bucket, prefix = location
            # Nothing to close: the client holds only pooled connections, dropped with it.
            s3_store = open_s3_store(bucket, prefix=prefix, endpoint_url=config.s3_endpoint_url)
            cache_dir = os.path.join(config.data_dir, CACHE_DIR)
            storage = S3Storage(s3_store, cache_dir=cache_dir, cache_bytes=config.cache_bytes)
        else:
            storage = LocalStorage(os.path.join(config.data_dir, STORAGE_DIR))
    if partial_uploads is None:
        if memory:
            partial_uploads = MemoryPartialUploads()
        elif s3_store is not None:  # beside the stored files (under tus/), so any vod serve can continue an upload
            partial_uploads = S3PartialUploads(s3_store)
        else:
            partial_uploads = LocalPartialUploads(os.path.join(config.data_dir, PARTIAL_UPLOADS_DIR))
    if transcoder is None:
        if memory:
            transcoder = FakeTranscoder()
        else:
            transcoder = real = PyAVTranscoder()
            closers.append(real.close)
    if sources is None:
        sources = fetcher = AiohttpSourceFetcher(allow_private=config.allow_private_urls)
        closers.append(fetcher.close)
    in_process = redis_jobs = None
    if jobs is None:
        if redis is not None:
            jobs = redis_jobs = RedisJobQueue(redis, prefix=config.redis_prefix)
        else:
            jobs = in_process = InProcessJobQueue(retries=job_retries, clock=clock)
    ctx = Context(
        uow=database.unit_of_work,
        read_uow=database.read_unit_of_work,
        storage=storage,
        prober=prober or (FakeProber() if memory else PyAVProber()),
        thumbnailer=thumbnailer or (FakeThumbnailer() if memory else PyAVThumbnailer()),
        transcoder=transcoder,
        jobs=jobs,
        clock=clock,
        ids=ids or RandomIds(),
        links=PublicFileLinks(config.base_url()),
        sources=sources,
        allow_private_urls=config.allow_private_urls,
        partial_uploads=partial_uploads,
        zone=config.zone(),
        max_upload_bytes=config.max_upload_bytes,
        url_signing_key=config.url_signing_key,
        url_ttl_s=config.url_ttl_s,
        unlinked_ttl_s=config.unlinked_ttl_s,
        session_ttl_s=config.console_session_ttl_s,
        job_retries=job_retries,
    )
    return Runtime(
        config,
        Vod(ctx, allow_private_callbacks=config.private_callbacks, guess_policy=guess_policy),
        owned,
        redis,
        s3_store,
        in_process,
        redis_jobs,
        closers,
    )


@asynccontextmanager
async def serving(runtime: Runtime) -> AsyncIterator[Resources]:
    """Everything ``vod serve`` runs over ``runtime``: opened, with its background services started."""
    async with runtime:
        background = runtime.background()
        await background.start()
        try:
            ctx = runtime.vod.ctx
            yield Resources(runtime.vod, background.traffic_feed, Presenter(ctx.zone, ctx.links))
        finally:
            await background.stop()
