"""The transcoder adapter: ladders run in worker processes, progress comes back over a pipe.

A separate process keeps the API's event loop free of codec work (and of
the GIL the Python glue still takes) and contains a crash in a codec.
Worker processes are started with ``spawn`` (no copy of the parent's
event loop, threads or sockets) and reused between transcodes. They end
when the serving process dies, however it dies (see
:func:`adapters.media.worker.exit_with_parent`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import tempfile
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection

from adapters.media.rung import EncoderSettings
from adapters.media.worker import CANCEL, exit_with_parent, run_transcode
from adapters.metrics import transcode_timer
from adapters.temp_sweep import sweep
from vod_core.ports.media import (
    ProgressCallback,
    Rendition,
    RenditionRequest,
    TranscodeCancelled,
    TranscodeFailed,
    Transcoder,
)

log = logging.getLogger(__name__)

CLOSE_GRACE_S = 20.0
"""How long :meth:`PyAVTranscoder.close` lets cancelled workers wind down before it terminates them."""

TEMP_PREFIXES = ("vod-transcode-", "vod-cover-")
"""The work directories of processing (vod_core.services.processing), named with their process's pid."""


class PyAVTranscoder(Transcoder):
    """Runs up to ``max_workers`` transcodes at once, each in its own worker process."""

    def __init__(self, max_workers: int = 2, settings: EncoderSettings | None = None) -> None:
        self._max_workers = max_workers
        self._settings = settings or EncoderSettings()
        self._mp = multiprocessing.get_context("spawn")
        self._pool = self._new_pool()
        self._running: set[Connection] = set()
        sweep(tempfile.gettempdir(), TEMP_PREFIXES)  # what a killed service's transcodes left behind

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            self._max_workers, mp_context=self._mp, initializer=exit_with_parent, initargs=(os.getpid(),)
        )

    async def transcode(
        self, source_path: str, requests: Sequence[RenditionRequest], progress: ProgressCallback
    ) -> list[Rendition]:
        ours, theirs = self._mp.Pipe()
        self._running.add(ours)
        pool = self._pool
        finished = False
        try:
            with transcode_timer() as output_sizes:
                work = pool.submit(run_transcode, source_path, list(requests), theirs, self._settings)
                renditions = await _follow(ours, asyncio.wrap_future(work), progress)
                output_sizes.extend(r.file_size for r in renditions)
            finished = True
            return renditions
        except BrokenProcessPool as exc:
            if self._pool is pool:  # the first transcode to notice replaces the pool
                pool.shutdown(wait=False)
                self._pool = self._new_pool()
            raise TranscodeFailed("the transcoding process died") from exc
        finally:
            self._running.discard(ours)
            ours.close()
            theirs.close()
            if not finished:  # the worker removes them too; a killed worker cannot
                _remove_outputs(requests)

    async def close(self) -> None:
        """Ask running transcodes to stop, then shut the worker processes down.

        A worker sees the request at its next progress report. One that has
        not stopped after ``CLOSE_GRACE_S`` (still starting up, say, when a
        SIGTERM arrives right after a start) is terminated, so that stopping
        the service never waits on a transcode: its play set is still
        unfinished in the database and is resumed on the next start.
        """
        for conn in list(self._running):
            with contextlib.suppress(OSError):
                conn.send(CANCEL)
        workers = [p for p in multiprocessing.active_children() if p.__class__ is self._mp.Process]
        shutdown = asyncio.ensure_future(asyncio.to_thread(self._pool.shutdown, True, cancel_futures=True))
        done, _ = await asyncio.wait({shutdown}, timeout=CLOSE_GRACE_S)
        if not done:
            log.warning("transcode workers still running %.0f s after the cancel: terminating them", CLOSE_GRACE_S)
            for worker in workers:
                worker.terminate()
        await shutdown


async def _follow(
    conn: Connection, work: asyncio.Future[list[Rendition]], progress: ProgressCallback
) -> list[Rendition]:
    """Forward the worker's progress until it is done; a False from ``progress`` cancels it."""
    loop = asyncio.get_running_loop()
    updates: asyncio.Queue[float] = asyncio.Queue()

    def readable() -> None:
        try:
            while conn.poll():
                updates.put_nowait(conn.recv())
        except (EOFError, OSError):
            loop.remove_reader(conn.fileno())

    loop.add_reader(conn.fileno(), readable)
    cancelled = False
    update: asyncio.Future[float] | None = None
    try:
        while not work.done():
            update = asyncio.ensure_future(updates.get())
            await asyncio.wait((update, work), return_when=asyncio.FIRST_COMPLETED)
            if not update.done():
                break
            if not cancelled and not await progress(update.result()):
                conn.send(CANCEL)
                cancelled = True
    except asyncio.CancelledError:
        conn.send(CANCEL)  # the caller gave up: stop the worker, too
        raise
    finally:
        if update is not None:
            update.cancel()  # else a pending get() outlives the loop ("Task was destroyed but it is pending")
        loop.remove_reader(conn.fileno())
    renditions = await work
    if cancelled:  # finished before it saw the request: the caller still asked to stop
        _remove_outputs([r.output_path for r in renditions])
        raise TranscodeCancelled()
    return renditions


def _remove_outputs(items: Sequence[RenditionRequest] | Sequence[str]) -> None:
    for item in items:
        path = item if isinstance(item, str) else item.output_path
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)
