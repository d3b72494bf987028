"""The worker-process side of a transcode: progress out and cancellation in, over one pipe."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from multiprocessing.connection import Connection

from adapters.media.ladder import transcode_ladder
from adapters.media.rung import EncoderSettings
from vod_core.ports.media import Rendition, RenditionRequest

CANCEL = "cancel"
REPORT_STEP = 0.01
"""Progress is sent whenever it advanced this much: well under the contract's 5%."""
PARENT_POLL_S = 0.5
"""How often the portable fallback checks that the serving process still lives."""
_PR_SET_PDEATHSIG = 1


def exit_with_parent(parent_pid: int) -> None:
    """Pool initializer: end this worker when ``parent_pid`` dies, even by ``kill -9``.

    A killed parent never shuts its pool down, and a worker left behind
    holds its memory (and a half-written rendition) forever. On Linux the
    kernel sends SIGKILL on the parent's death (``PR_SET_PDEATHSIG``); a
    daemon thread watching our parent id covers other systems and the case
    where the pool was grown by a thread that has since ended (the death
    signal follows the creating *thread*).
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:  # died before the signal was armed
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent_pid,), name="parent-watch", daemon=True).start()


def _watch_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(PARENT_POLL_S)
    os._exit(1)  # no cleanup that could hang: the temp files are swept at the next start


class _PipeProgress:
    """Sends progress every REPORT_STEP; checks for a cancel request after every picture."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._sent = 0.0

    def __call__(self, fraction: float) -> bool:
        if fraction - self._sent >= REPORT_STEP or (fraction >= 1.0 > self._sent):
            self._conn.send(fraction)
            self._sent = fraction
        return not (self._conn.poll() and self._conn.recv() == CANCEL)


def run_transcode(
    source_path: str, requests: Sequence[RenditionRequest], conn: Connection, settings: EncoderSettings
) -> list[Rendition]:
    """Entry point in the worker process; TranscodeFailed / TranscodeCancelled travel back pickled."""
    try:
        return transcode_ladder(source_path, requests, _PipeProgress(conn), settings)
    finally:
        conn.close()
