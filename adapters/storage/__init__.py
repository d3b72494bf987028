"""Object storage adapters: local files (the default)."""

from adapters.storage.local import LocalStorage

__all__ = ["LocalStorage"]
