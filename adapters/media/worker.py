"""The worker-process side of a transcode: progress out and cancellation in, over one pipe."""

from __future__ import annotations

from collections.abc import Sequence
from multiprocessing.connection import Connection

from adapters.media.ladder import transcode_ladder
from adapters.media.rung import EncoderSettings
from vod_core.ports.media import Rendition, RenditionRequest

CANCEL = "cancel"
REPORT_STEP = 0.01
"""Progress is sent whenever it advanced this much: well under the contract's 5%."""


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
