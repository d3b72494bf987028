"""Every port in memory: for embedding the core in tests and small tools.

``in_memory_vod()`` returns a ready :class:`vod_core.Vod` and the job queue
whose ``drain()`` runs the background work deterministically.
"""

from adapters.memory.bootstrap import in_memory_vod
from adapters.memory.jobs import MemoryJobQueue

__all__ = ["MemoryJobQueue", "in_memory_vod"]
