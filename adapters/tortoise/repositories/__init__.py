"""One Tortoise repository per port, each built as ``Repo(connection)``.

``connection`` is the unit of work's transaction. Which internal error each
method raises when the database fails (contract codes 3121–3153; stored
files count as part of their video, events as part of the change that
caused them)::

    videos      add 3121, get/get_many 3122, update 3123, find/count/list_unfinished 3125
    play_sets   add 3131, get 3132, update 3133, live_for_videos/list_unfinished 3135
    files       add 3121, get 3126, update 3123, live_for_video 3122, mark_deleted 3124,
                linked_size_sum 3127
    users       add/add_api_key 3141, reads 3143
    settings    get 3153, save 3151
    outbox      add/update 3123, due/dead 3125
"""

from adapters.tortoise.repositories.files import TortoiseFileRepository
from adapters.tortoise.repositories.outbox import TortoiseOutbox
from adapters.tortoise.repositories.play_sets import TortoisePlaySetRepository
from adapters.tortoise.repositories.settings import TortoiseSettingsRepository
from adapters.tortoise.repositories.users import TortoiseUserRepository
from adapters.tortoise.repositories.videos import TortoiseVideoRepository

__all__ = [
    "TortoiseFileRepository",
    "TortoiseOutbox",
    "TortoisePlaySetRepository",
    "TortoiseSettingsRepository",
    "TortoiseUserRepository",
    "TortoiseVideoRepository",
]
