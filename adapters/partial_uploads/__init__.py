"""Adapters of :class:`vod_core.ports.partial_uploads.PartialUploads`: local files, memory.

The S3 one, :class:`adapters.partial_uploads.s3.S3PartialUploads`, is imported from its module (it loads obstore).
"""

from adapters.partial_uploads.local import LocalPartialUploads
from adapters.partial_uploads.memory import MemoryPartialUploads

__all__ = ["LocalPartialUploads", "MemoryPartialUploads"]
