"""Ports: one ``typing.Protocol`` per capability the use cases need.

Adapters subclass these explicitly so mypy checks them where they are
defined. Repositories raise :class:`vod_core.errors.UniqueViolation` when a
uniqueness rule would break and an :class:`vod_core.errors.InternalError`
subclass (with the cause chained) when the store itself fails.
"""
