"""Every port in memory: for embedding the core in tests and small tools.

``entrypoints.bootstrap.bootstrap(Config.in_memory())`` wires them (with
fake media) into a ready :class:`vod_core.Vod`; a :class:`MemoryJobQueue`
runs the background work deterministically with ``drain()``.
"""

from adapters.memory.backend import MemoryBackend
from adapters.memory.jobs import MemoryJobQueue

__all__ = ["MemoryBackend", "MemoryJobQueue"]
