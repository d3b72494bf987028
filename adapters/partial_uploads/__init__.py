"""Adapters of :class:`vod_core.ports.partial_uploads.PartialUploads`: local files, memory."""

from adapters.partial_uploads.local import LocalPartialUploads
from adapters.partial_uploads.memory import MemoryPartialUploads

__all__ = ["LocalPartialUploads", "MemoryPartialUploads"]
