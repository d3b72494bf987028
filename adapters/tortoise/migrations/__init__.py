"""Schema migrations, one module per step: ``mNNNN_<name>.py`` with ``VERSION``, ``NAME`` and ``apply``.

Applied in VERSION order by :mod:`adapters.tortoise.migrator`, each in its
own transaction together with its record in ``schema_migration``.
"""
