"""A clock for tests: starts at a fixed instant and moves only forward, a tick per reading."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from vod_core.ports.clock import Clock


class SteppingClock(Clock):
    def __init__(self, start: datetime | None = None, tick: timedelta = timedelta(milliseconds=1)) -> None:
        self.current = start or datetime(2026, 1, 1, tzinfo=UTC)
        self.tick = tick

    def now(self) -> datetime:
        self.current += self.tick
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta


class ShiftedClock(Clock):
    """The real time, moved forward by whatever the test :meth:`advance`\\ d (time passes on its own too)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta
