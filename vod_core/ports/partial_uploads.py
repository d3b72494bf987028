from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from vod_core.ports.storage import ObjectStorage


class PartialUploads(Protocol):
    """The bytes of unfinished resumable uploads, kept apart from stored files until the last one arrives.

    An adapter may keep them as one file appended in place (local disk) or
    as segment objects of the object store, each complete before it is
    visible (S3: ``adapters/partial_uploads/s3.py``). The
    committed offset lives in the database; an adapter only promises that
    the bytes it reports are durable, and drops what lies past an offset it
    is asked to append at (what a request killed before its commit left).
    """

    async def create(self, upload_id: str) -> None:
        """Start an empty upload."""
        ...

    async def append(self, upload_id: str, offset: int, chunks: AsyncIterator[bytes]) -> int:
        """Store ``chunks`` from ``offset`` on (bytes held past ``offset`` are dropped first); returns how many.

        The bytes are durable (e.g. fsync'd) when it returns. If ``chunks``
        raises, or the call is cancelled, the exception propagates; what got
        stored by then is found with :meth:`stored_length`.
        """
        ...

    async def stored_length(self, upload_id: str) -> int:
        """Make what an interrupted :meth:`append` wrote durable and return how many bytes the upload holds."""
        ...

    async def truncate(self, upload_id: str, length: int) -> None:
        """Drop every byte past ``length`` (a chunk whose checksum did not match)."""
        ...

    async def complete(self, upload_id: str, storage: ObjectStorage, key: str) -> int:
        """Move the upload's bytes into ``storage`` under ``key``; returns the size stored.

        Afterwards the partial upload is gone. Calling it again after a
        crash that followed the move finds the object in ``storage`` and
        returns its size.
        """
        ...

    async def remove(self, upload_id: str) -> None:
        """Remove the upload's bytes; removing a missing upload is not an error."""
        ...
