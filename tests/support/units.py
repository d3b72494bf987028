"""The ``database`` override of ``bootstrap`` for stores a test opens itself (or alternates between)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from vod_core.ports.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Units:
    unit_of_work: Callable[[], UnitOfWork]
    read_unit_of_work: Callable[[], UnitOfWork]
