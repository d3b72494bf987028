from __future__ import annotations

from typing import Protocol


class ServiceKeyRepository(Protocol):
    """Secrets of the deployment (not of a user), shared by every process through the database."""

    async def get(self, name: str) -> str | None: ...

    async def add_if_absent(self, name: str, value: str) -> None:
        """Store ``value`` under ``name`` unless a value is stored already (then keep that one, no error)."""
        ...
