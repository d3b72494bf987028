"""What request handlers need, opened when the server starts and closed when it stops.

The app receives a factory of these rather than the objects themselves so
the database, job runner and meters are created inside the server's event
loop (Sanic's ``before_server_start``), never at import time.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol

from sanic import Request

from entrypoints.http.presenters import Presenter
from vod_core import Vod
from vod_core.traffic import TrafficRecord


class TrafficSink(Protocol):
    """Where downloads report the bytes they sent (the background traffic feed)."""

    def submit(self, record: TrafficRecord) -> None:
        """Queue ``record`` for ingestion; must not block the response."""
        ...


@dataclass
class Resources:
    vod: Vod
    traffic: TrafficSink
    presenter: Presenter


ResourcesFactory = Callable[[], AbstractAsyncContextManager[Resources]]


def resources(request: Request) -> Resources:
    found: Resources = request.app.ctx.resources
    return found
