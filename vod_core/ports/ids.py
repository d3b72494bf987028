from __future__ import annotations

from typing import Protocol


class IdGenerator(Protocol):
    def new_id(self) -> str:
        """A new unguessable id (lowercase base-36, at least 40 random bits)."""
        ...

    def new_secret(self) -> str:
        """A new secret (API key, webhook secret): at least 128 random bits, URL-safe."""
        ...
