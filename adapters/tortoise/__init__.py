"""Persistence with Tortoise ORM: SQLite by default, PostgreSQL by URL."""

from adapters.tortoise.database import TortoiseDatabase, sqlite_url

__all__ = ["TortoiseDatabase", "sqlite_url"]
