"""vod_core — the video-on-demand domain as a library.

Build a :class:`Vod` from a :class:`Context` of adapters (the composition
root, ``entrypoints.bootstrap.bootstrap``, does it for every entrypoint and
for embedding, in memory or over a real database) and call its use cases,
grouped by area::

    vod = Vod(ctx)
    user, key = await vod.users.create_user("alice")
    video = await vod.videos.create_video(user.id, storage_id)
"""

from __future__ import annotations

from vod_core.guesses import GuessPolicy
from vod_core.services.access import MediaAccess
from vod_core.services.context import Context
from vod_core.services.dead_events import DeadEvents
from vod_core.services.downloads import Downloads
from vod_core.services.health import Health
from vod_core.services.orphans import OrphanObjects
from vod_core.services.playback import Playback
from vod_core.services.preferences import Preferences
from vod_core.services.processing import Processing
from vod_core.services.resumable_uploads import ResumableUploads
from vod_core.services.sharing import Sharing
from vod_core.services.traffic import TrafficStats
from vod_core.services.transcoding import Transcoding
from vod_core.services.uploads import Uploads
from vod_core.services.users import UserAccounts
from vod_core.services.videos import VideoLibrary


class Vod:
    """Every use case of the service, wired to one :class:`Context`."""

    def __init__(
        self,
        ctx: Context,
        *,
        allow_private_callbacks: bool = False,
        guess_policy: GuessPolicy | None = None,
    ) -> None:
        self.ctx = ctx
        self.access = MediaAccess(ctx)
        """Who may fetch media (signed URLs, API.md C1), for every media route."""
        self.users = UserAccounts(ctx)
        self.uploads = Uploads(ctx)
        self.resumable_uploads = ResumableUploads(ctx)
        """tus uploads (API.md C3): the last byte makes a stored file whose id is the upload's."""
        self.videos = VideoLibrary(ctx, self.access)
        self.sharing = Sharing(ctx, guess_policy, access=self.access)
        """Shared videos; ``guess_policy`` sets how wrong share passwords are throttled."""
        self.transcoding = Transcoding(ctx)
        self.processing = Processing(ctx, self.access)
        self.preferences = Preferences(ctx, allow_private_callbacks)
        """A user's auto-transcode templates and callback URLs (stored as ``UserSettings``)."""
        self.traffic = TrafficStats(ctx)
        self.downloads = Downloads(ctx, self.access)
        self.playback = Playback(ctx, self.access)
        self.health = Health(ctx)
        self.dead_events = DeadEvents(ctx)
        self.orphans = OrphanObjects(ctx)
        """Stored objects no file row owns (left by a killed process), collected after a grace period."""


__all__ = ["Context", "Vod"]
