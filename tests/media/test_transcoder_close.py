"""Closing the transcoder never waits on a worker that does not stop: SIGTERM ends the service."""

from __future__ import annotations

import multiprocessing
import time

import pytest

from adapters.media import transcoder as transcoder_module
from adapters.media.transcoder import PyAVTranscoder

pytestmark = pytest.mark.slow


async def test_close_terminates_a_worker_that_does_not_stop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transcoder_module, "CLOSE_GRACE_S", 0.5)
    transcoder = PyAVTranscoder(max_workers=1)
    # A task that never looks at the cancel request, as a worker still starting up does not.
    stuck = transcoder._pool.submit(time.sleep, 3600)
    workers = multiprocessing.active_children()  # the pool starts its worker within the first submit
    assert workers
    started = time.monotonic()
    await transcoder.close()
    assert time.monotonic() - started < 30
    assert all(not worker.is_alive() for worker in workers)
    assert stuck.done()
