"""One Tortoise repository per port, each built as ``Repo(connection)``.

``connection`` is the unit of work's transaction. Every method raises
:class:`vod_core.errors.StorageUnavailable` when the database fails (see
:mod:`adapters.tortoise.errors`); the use case calling it chooses the
contract code.
"""

from adapters.tortoise.repositories.files import TortoiseFileRepository
from adapters.tortoise.repositories.guesses import TortoiseGuessRepository
from adapters.tortoise.repositories.outbox import TortoiseOutbox
from adapters.tortoise.repositories.play_sets import TortoisePlaySetRepository
from adapters.tortoise.repositories.resumable_uploads import TortoiseResumableUploadRepository
from adapters.tortoise.repositories.service_keys import TortoiseServiceKeyRepository
from adapters.tortoise.repositories.settings import TortoiseSettingsRepository
from adapters.tortoise.repositories.users import TortoiseUserRepository
from adapters.tortoise.repositories.videos import TortoiseVideoRepository

__all__ = [
    "TortoiseFileRepository",
    "TortoiseGuessRepository",
    "TortoiseOutbox",
    "TortoisePlaySetRepository",
    "TortoiseResumableUploadRepository",
    "TortoiseServiceKeyRepository",
    "TortoiseSettingsRepository",
    "TortoiseUserRepository",
    "TortoiseVideoRepository",
]
