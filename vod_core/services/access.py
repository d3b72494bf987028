"""Who may fetch media (API.md C1): signed URLs, public videos, owners of unlinked uploads.

One decision for every media route: :meth:`MediaAccess.video_media` answers
for a video id (``/files`` of a video's file, and playlists later), and
:meth:`MediaAccess.stored_file` for a stored file, which adds the rule for
uploads no video uses yet. The URL signing key is the deployment's: set by
the composition root when configured, otherwise created on first use and
stored in the database, so every process signs and checks alike.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from vod_core.errors import AccessDenied, CheckStorageIdFailed, InternalError, NotFound
from vod_core.files import StoredFile
from vod_core.services.context import Context
from vod_core.services.failures import fails_as
from vod_core.signing import UrlGrant, UrlSigner
from vod_core.video import SharedState, Video

SIGNING_KEY_NAME = "url_signing_key"
"""The name of the generated key in the service key store."""


class Audience(Enum):
    """Why a media request is allowed; it decides how the response may be cached."""

    PUBLIC = "public"
    """A public video's stable unsigned URL."""
    SIGNED = "signed"
    """A valid signature, until its ``expires``."""
    OWNER = "owner"
    """The owner of an unlinked upload, with the API key."""


@dataclass(frozen=True)
class MediaQuery:
    """The access part of a media URL's query: ``None`` where the parameter is absent."""

    expires: str | None = None
    signature: str | None = None

    @property
    def signed(self) -> bool:
        return self.expires is not None or self.signature is not None


@dataclass(frozen=True)
class Permit:
    """Access granted to ``audience``; ``expires`` (unix seconds) is the signature's, else 0."""

    audience: Audience
    expires: int = 0


@dataclass(frozen=True)
class Grants:
    """Grants made at one moment (one response): every video's links expire together."""

    signer: UrlSigner
    expires: int

    def for_video(self, video_id: str) -> UrlGrant:
        return self.signer.grant(video_id, self.expires)


def video_permit(video: Video | None, query: MediaQuery, signer: UrlSigner, now: int) -> Permit:
    """The rule of C1 for the media of ``video``: 404 when gone, else a permit or 403 (3108).

    A query that carries a signature must be valid whatever the shared
    state; without one, only a public video's media are served.
    """
    if video is None or video.is_deleted:
        raise NotFound("file not found")
    if query.signed:
        expires, signature = query.expires or "", query.signature or ""
        if not signer.verify(video.id, expires, signature, now):
            raise AccessDenied("the media URL's signature is missing, expired or not for this video")
        return Permit(Audience.SIGNED, int(expires))
    if video.shared_state != SharedState.PUBLIC:
        raise AccessDenied("this video's media need a signed URL")
    return Permit(Audience.PUBLIC)


def unlinked_cutoff(now: datetime, ttl_s: int) -> datetime:
    """Unlinked uploads created at or before this moment have expired."""
    return now - timedelta(seconds=ttl_s)


class MediaAccess:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._signer: UrlSigner | None = UrlSigner(ctx.url_signing_key) if ctx.url_signing_key else None
        self._loading = asyncio.Lock()

    @fails_as(InternalError)
    async def signer(self) -> UrlSigner:
        """The deployment's signer; the first call of a process without a configured key loads (or creates) it."""
        if self._signer is not None:
            return self._signer
        async with self._loading:
            if self._signer is None:
                self._signer = UrlSigner(await self._stored_key())
        return self._signer

    async def _stored_key(self) -> str:
        async with self._ctx.reader() as reader:
            key = await reader.service_keys.get(SIGNING_KEY_NAME)
        if key:
            return key
        async with self._ctx.uow() as uow:
            # Two processes starting together both try; the first insert wins and both read it back.
            await uow.service_keys.add_if_absent(SIGNING_KEY_NAME, self._ctx.ids.new_secret())
            key = await uow.service_keys.get(SIGNING_KEY_NAME)
            await uow.commit()
        if not key:
            raise InternalError("the URL signing key could not be stored")
        return key

    def seconds_left(self, permit: Permit) -> int:
        """How long a signed ``permit`` still holds (0 when expired, or for an unsigned one): a cache's lifetime."""
        return max(0, permit.expires - int(self._ctx.clock.now().timestamp()))

    @fails_as(InternalError)
    async def grants(self) -> Grants:
        """Signed links for a response made now: valid for ``url_ttl_s`` seconds."""
        signer = await self.signer()
        return Grants(signer, self._now() + self._ctx.url_ttl_s)

    def _now(self) -> int:
        return int(self._ctx.clock.now().timestamp())

    @fails_as(InternalError)
    async def video_media(self, video_id: str, query: MediaQuery) -> Permit:
        """Whether the media of ``video_id`` may be served for ``query`` (404 / 403 otherwise)."""
        signer = await self.signer()
        async with self._ctx.reader() as uow:
            video = await uow.videos.get(video_id)
        return video_permit(video, query, signer, self._now())

    @fails_as(CheckStorageIdFailed)
    async def stored_file(self, storage_id: str, query: MediaQuery, user_id: str | None) -> tuple[StoredFile, Permit]:
        """The file ``storage_id`` and whether it may be served: its video's rule, or its owner's while unlinked.

        An unlinked upload answers 404 to anyone but its owner (its
        existence is not revealed), and to everybody once it has expired.
        """
        signer = await self.signer()  # before the reader: loading the key may need a transaction
        async with self._ctx.reader() as uow:
            found = await uow.files.get_with_video(storage_id)
        if found is None or found.file.deleted:
            raise NotFound(f"file {storage_id} not found")
        stored = found.file
        if not stored.video_id:
            cutoff = unlinked_cutoff(self._ctx.clock.now(), self._ctx.unlinked_ttl_s)
            if user_id is None or user_id != stored.user_id or stored.created_at <= cutoff:
                raise NotFound(f"file {storage_id} not found")
            return stored, Permit(Audience.OWNER)
        return stored, video_permit(found.video, query, signer, self._now())
