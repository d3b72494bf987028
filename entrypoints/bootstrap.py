"""The one composition root: configuration → adapters → :class:`Vod`.

``vod serve``, ``vod worker``, ``vod migrate`` and ``vod user create`` all
build the service here, so they cannot disagree about where the database,
the stored files or the job queue are.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from adapters.jobs.inprocess import InProcessJobQueue
from adapters.media import PyAVProber, PyAVThumbnailer, PyAVTranscoder
from adapters.redis.jobs import RedisJobQueue
from adapters.storage import LocalStorage
from adapters.system import PublicFileLinks, RandomIds, SystemClock
from adapters.tortoise.database import TortoiseDatabase, sqlite_url
from entrypoints.background import BackgroundServices
from entrypoints.config import Config
from entrypoints.http import Resources
from entrypoints.http.presenters import Presenter
from vod_core import Context, Vod

STORAGE_DIR = "storage"


@dataclass
class Runtime:
    config: Config
    vod: Vod
    database: TortoiseDatabase
    job_queue: InProcessJobQueue | RedisJobQueue


def database_for(config: Config) -> TortoiseDatabase:
    return TortoiseDatabase(config.database_url or sqlite_url(config.data_dir))


@asynccontextmanager
async def open_runtime(config: Config, *, migrate: bool = True) -> AsyncIterator[Runtime]:
    """Connect the database (migrating it unless told not to) and wire every adapter."""
    database = database_for(config)
    await database.connect(migrate=migrate)
    transcoder = PyAVTranscoder()
    job_queue: InProcessJobQueue | RedisJobQueue = (
        RedisJobQueue(config.redis_url, prefix=config.redis_prefix) if config.redis_url else InProcessJobQueue()
    )
    ctx = Context(
        uow=database.unit_of_work,
        read_uow=database.read_unit_of_work,
        storage=LocalStorage(os.path.join(config.data_dir, STORAGE_DIR)),
        prober=PyAVProber(),
        thumbnailer=PyAVThumbnailer(),
        transcoder=transcoder,
        jobs=job_queue,
        clock=SystemClock(),
        ids=RandomIds(),
        links=PublicFileLinks(config.base_url()),
        zone=config.zone(),
        max_upload_bytes=config.max_upload_bytes,
    )
    try:
        yield Runtime(config, Vod(ctx, allow_private_callbacks=config.webhook_allow_private), database, job_queue)
    finally:
        if isinstance(job_queue, RedisJobQueue):
            await job_queue.close()
        await transcoder.close()
        await database.close()


@asynccontextmanager
async def http_resources(config: Config) -> AsyncIterator[Resources]:
    """Everything ``vod serve`` runs: the Vod plus its background services."""
    async with open_runtime(config) as runtime:
        background = BackgroundServices(
            runtime.vod,
            job_queue=runtime.job_queue,
            redis_url=config.redis_url or None,
            redis_prefix=config.redis_prefix,
            allow_private_callbacks=config.webhook_allow_private,
        )
        await background.start()
        try:
            ctx = runtime.vod.ctx
            yield Resources(runtime.vod, background.traffic_feed, Presenter(ctx.zone, ctx.links))
        finally:
            await background.stop()
