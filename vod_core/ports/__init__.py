"""Ports: one ``typing.Protocol`` per capability the use cases need.

Adapters subclass these explicitly so mypy checks them where they are
defined. Repositories raise :class:`vod_core.errors.UniqueViolation` when a
uniqueness rule would break and :class:`vod_core.errors.StorageUnavailable`
(with the cause chained) when the store itself fails; the use case decides
which contract code that becomes (:mod:`vod_core.services.failures`).
"""
