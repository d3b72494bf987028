"""Every repository port over the in-memory :class:`Transaction`.

They enforce the same uniqueness rules as the database schema, so the
use cases meet the same conflicts here as in production.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from adapters.memory.database import Transaction
from vod_core.errors import UniqueViolation
from vod_core.events import DeliveryState, OutboxEvent
from vod_core.files import StoredFile
from vod_core.guesses import WrongGuesses
from vod_core.play_set import PlaySet
from vod_core.ports.files import FileRepository
from vod_core.ports.guesses import GuessRepository
from vod_core.ports.outbox import EventOutbox
from vod_core.ports.play_sets import LIVE_TEMPLATE, PlaySetRepository
from vod_core.ports.resumable_uploads import ResumableUploadRepository
from vod_core.ports.service_keys import ServiceKeyRepository
from vod_core.ports.settings import SettingsRepository
from vod_core.ports.traffic import TotalsQuery, TrafficRepository
from vod_core.ports.users import USER_NAME, UserRepository
from vod_core.ports.videos import LIVE_STORAGE_ID, VideoQuery, VideoRepository
from vod_core.resumable import REMOVAL, ResumableUpload
from vod_core.search import matches_search
from vod_core.settings import UserSettings
from vod_core.traffic import MinuteIncrement, VideoTotal
from vod_core.users import ApiKey, User
from vod_core.video import Video, VideoStatus


class _Repository:
    def __init__(self, tx: Transaction) -> None:
        self.tx = tx


class MemoryVideoRepository(_Repository, VideoRepository):
    def _all(self) -> list[Video]:
        return list(self.tx.read("videos").values())

    async def add(self, video: Video) -> None:
        if not video.is_deleted and any(
            v.user_id == video.user_id and v.storage_id == video.storage_id and not v.is_deleted for v in self._all()
        ):
            raise UniqueViolation(LIVE_STORAGE_ID)
        self.tx.put("videos", video.id, video)

    async def get(self, video_id: str) -> Video | None:
        found: Video | None = self.tx.get("videos", video_id)
        return found

    async def get_many(self, video_ids: Sequence[str]) -> list[Video]:
        found = [await self.get(i) for i in video_ids]
        return [v for v in found if v is not None]

    async def update(self, video: Video) -> None:
        self.tx.put("videos", video.id, video)

    def _matching(self, query: VideoQuery) -> list[Video]:
        found = [
            v
            for v in self._all()
            if v.user_id == query.user_id
            and not v.is_deleted
            and matches_search(v.id, v.video_name, query.search)
            and (query.source_type is None or v.source_type == query.source_type)
        ]
        return sorted(found, key=lambda v: (v.created_at, v.id), reverse=True)

    async def find(self, query: VideoQuery, offset: int, limit: int) -> list[Video]:
        return [self.tx.get("videos", v.id) for v in self._matching(query)[offset : offset + limit]]

    async def count(self, query: VideoQuery) -> int:
        return len(self._matching(query))

    async def list_unfinished(self) -> list[Video]:
        unfinished = (VideoStatus.INITIAL, VideoStatus.UPLOADING)
        return [self.tx.get("videos", v.id) for v in self._all() if v.status in unfinished]


class MemoryPlaySetRepository(_Repository, PlaySetRepository):
    def _all(self) -> list[PlaySet]:
        return list(self.tx.read("play_sets").values())

    async def add(self, play_set: PlaySet) -> None:
        if play_set.is_live and any(
            p.video_id == play_set.video_id and p.template_id == play_set.template_id and p.is_live for p in self._all()
        ):
            raise UniqueViolation(LIVE_TEMPLATE)
        self.tx.put("play_sets", play_set.id, play_set)

    async def get(self, play_set_id: str) -> PlaySet | None:
        found: PlaySet | None = self.tx.get("play_sets", play_set_id)
        return found

    async def update(self, play_set: PlaySet) -> None:
        self.tx.put("play_sets", play_set.id, play_set)

    async def live_for_videos(self, video_ids: Sequence[str]) -> list[PlaySet]:
        wanted = set(video_ids)
        found = [p for p in self._all() if p.video_id in wanted and p.is_live]
        return [self.tx.get("play_sets", p.id) for p in sorted(found, key=lambda p: (p.created_at, p.id))]

    async def list_unfinished(self) -> list[PlaySet]:
        return [self.tx.get("play_sets", p.id) for p in self._all() if p.is_unfinished]


class MemoryFileRepository(_Repository, FileRepository):
    async def add(self, stored: StoredFile) -> None:
        self.tx.put("files", stored.id, stored)

    async def get(self, storage_id: str) -> StoredFile | None:
        found: StoredFile | None = self.tx.get("files", storage_id)
        return found

    async def update(self, stored: StoredFile) -> None:
        self.tx.put("files", stored.id, stored)

    async def live_for_video(self, video_id: str) -> list[StoredFile]:
        return [
            self.tx.get("files", f.id)
            for f in self.tx.read("files").values()
            if f.video_id == video_id and not f.deleted
        ]

    async def linked_size_sum(self, user_id: str) -> int:
        videos = self.tx.read("videos")
        return sum(
            f.size
            for f in self.tx.read("files").values()
            if f.user_id == user_id
            and f.video_id
            and not f.deleted
            and f.video_id in videos
            and not videos[f.video_id].is_deleted
        )

    async def unlinked_size_sum(self, user_id: str, created_after: datetime) -> int:
        return sum(
            f.size
            for f in self.tx.read("files").values()
            if f.user_id == user_id and not f.video_id and not f.deleted and f.created_at > created_after
        )

    async def mark_deleted(self, storage_ids: Sequence[str]) -> None:
        for storage_id in storage_ids:
            stored = await self.get(storage_id)
            if stored is not None:
                stored.deleted = True
                await self.update(stored)

    async def existing(self, storage_ids: Sequence[str]) -> set[str]:
        files = self.tx.read("files")
        return {storage_id for storage_id in storage_ids if storage_id in files}

    async def _live_unlinked(self, storage_id: str) -> StoredFile | None:
        stored = await self.get(storage_id)
        return None if stored is None or stored.deleted or stored.video_id else stored

    async def link(self, storage_id: str, video_id: str) -> bool:
        stored = await self._live_unlinked(storage_id)
        if stored is None:
            return False
        stored.video_id = video_id
        await self.update(stored)
        return True

    async def unlinked_before(self, cutoff: datetime, limit: int) -> list[StoredFile]:
        found = [
            f for f in self.tx.read("files").values() if not f.video_id and not f.deleted and f.created_at <= cutoff
        ]
        return [self.tx.get("files", f.id) for f in sorted(found, key=lambda f: (f.created_at, f.id))[:limit]]

    async def delete_if_unlinked(self, storage_id: str) -> bool:
        stored = await self._live_unlinked(storage_id)
        if stored is None:
            return False
        stored.deleted = True
        await self.update(stored)
        return True


class MemoryUserRepository(_Repository, UserRepository):
    async def add(self, user: User) -> None:
        if any(u.name == user.name for u in self.tx.read("users").values()):
            raise UniqueViolation(USER_NAME)
        self.tx.put("users", user.id, user)

    async def get(self, user_id: str) -> User | None:
        found: User | None = self.tx.get("users", user_id)
        return found

    async def get_by_name(self, name: str) -> User | None:
        for user in self.tx.read("users").values():
            if user.name == name:
                return await self.get(user.id)
        return None

    async def count(self) -> int:
        return len(self.tx.read("users"))

    async def add_api_key(self, key: ApiKey) -> None:
        self.tx.put("api_keys", key.key_hash, key)

    async def user_for_key_hash(self, key_hash: str) -> User | None:
        key: ApiKey | None = self.tx.get("api_keys", key_hash)
        user = None if key is None else await self.get(key.user_id)
        return None if user is None or user.disabled else user

    async def update(self, user: User) -> None:
        self.tx.put("users", user.id, user)

    async def delete_api_keys(self, user_id: str) -> int:
        keys = self.tx.write("api_keys")
        owned = [key_hash for key_hash, key in keys.items() if key.user_id == user_id]
        for key_hash in owned:
            del keys[key_hash]
        return len(owned)

    async def list_with_key_counts(self) -> list[tuple[User, int]]:
        counts: dict[str, int] = {}
        for key in self.tx.read("api_keys").values():
            counts[key.user_id] = counts.get(key.user_id, 0) + 1
        users = sorted(self.tx.read("users").values(), key=lambda u: u.name)
        return [(self.tx.get("users", u.id), counts.get(u.id, 0)) for u in users]


class MemoryServiceKeyRepository(_Repository, ServiceKeyRepository):
    async def get(self, name: str) -> str | None:
        found: str | None = self.tx.get("service_keys", name)
        return found

    async def add_if_absent(self, name: str, value: str) -> None:
        if self.tx.read("service_keys").get(name) is None:
            self.tx.put("service_keys", name, value)


class MemorySettingsRepository(_Repository, SettingsRepository):
    async def get(self, user_id: str) -> UserSettings | None:
        found: UserSettings | None = self.tx.get("settings", user_id)
        return found

    async def save(self, settings: UserSettings) -> None:
        self.tx.put("settings", settings.user_id, settings)


class MemoryTrafficRepository(_Repository, TrafficRepository):
    """Buckets keyed by (video, minute) and daily rollups keyed by (user, day)."""

    async def owners(self, video_ids: Sequence[str]) -> dict[str, str]:
        videos = self.tx.read("videos")
        return {i: videos[i].user_id for i in video_ids if i in videos}

    async def add(self, increments: Sequence[MinuteIncrement]) -> None:
        minutes, days = self.tx.write("traffic_minutes"), self.tx.write("traffic_days")
        for inc in increments:
            minutes[(inc.video_id, inc.minute)] = minutes.get((inc.video_id, inc.minute), 0) + inc.bytes
            days[(inc.user_id, inc.day)] = days.get((inc.user_id, inc.day), 0) + inc.bytes

    async def minutes(self, video_id: str, first_minute: int, last_minute: int) -> list[tuple[int, int]]:
        return sorted(
            (minute, count)
            for (vid, minute), count in self.tx.read("traffic_minutes").items()
            if vid == video_id and first_minute <= minute <= last_minute
        )

    def _totals(self, query: TotalsQuery) -> list[VideoTotal]:
        sums: dict[str, int] = {}
        for (vid, minute), count in self.tx.read("traffic_minutes").items():
            if query.first_minute is not None and minute < query.first_minute:
                continue
            if query.last_minute is not None and minute > query.last_minute:
                continue
            sums[vid] = sums.get(vid, 0) + count
        rows = [
            VideoTotal(v.id, v.video_name, v.created_at, sums.get(v.id, 0))
            for v in self.tx.read("videos").values()
            if v.user_id == query.user_id and matches_search(v.id, v.video_name, query.search)
        ]
        return sorted(rows, key=lambda r: (-r.total_bytes, r.video_id))

    async def video_totals(self, query: TotalsQuery, offset: int, limit: int) -> list[VideoTotal]:
        return self._totals(query)[offset : offset + limit]

    async def count_videos(self, query: TotalsQuery) -> int:
        return len(self._totals(query))

    async def video_totals_after(self, query: TotalsQuery, after: VideoTotal | None, limit: int) -> list[VideoTotal]:
        rows = self._totals(query)
        if after is not None:
            rows = [r for r in rows if (-r.total_bytes, r.video_id) > (-after.total_bytes, after.video_id)]
        return rows[:limit]

    async def daily(self, user_id: str, first_day: date, last_day: date) -> dict[date, int]:
        return {
            day: count
            for (uid, day), count in self.tx.read("traffic_days").items()
            if uid == user_id and first_day <= day <= last_day
        }

    async def user_total(self, user_id: str) -> int:
        return sum(count for (uid, _), count in self.tx.read("traffic_days").items() if uid == user_id)


class MemoryOutbox(_Repository, EventOutbox):
    def _all(self) -> list[OutboxEvent]:
        return list(self.tx.read("outbox").values())

    async def add(self, event: OutboxEvent) -> None:
        self.tx.put("outbox", event.id, event)

    async def due(self, now: datetime, limit: int) -> list[OutboxEvent]:
        due = [e for e in self._all() if e.state == DeliveryState.PENDING and e.next_attempt_at <= now]
        due.sort(key=lambda e: (e.created_at, e.id))
        return [self.tx.get("outbox", e.id) for e in due[:limit]]

    async def update(self, event: OutboxEvent) -> None:
        self.tx.put("outbox", event.id, event)

    async def dead(self, user_id: str) -> list[OutboxEvent]:
        dead = [e for e in self._all() if e.user_id == user_id and e.state == DeliveryState.DEAD]
        dead.sort(key=lambda e: (e.created_at, e.id), reverse=True)
        return [self.tx.get("outbox", e.id) for e in dead]


class MemoryGuessRepository(_Repository, GuessRepository):
    """Keyed by (client, video id)."""

    async def get(self, client: str, video_id: str) -> WrongGuesses | None:
        found: WrongGuesses | None = self.tx.get("guesses", (client, video_id))
        return found

    async def add_failure(self, client: str, video_id: str, at: datetime, forget_before: datetime) -> int:
        record = await self.get(client, video_id)
        if record is None or record.last_failure_at <= forget_before:
            record = WrongGuesses(client, video_id, 0, at, at)
        record.failures += 1
        record.last_failure_at = at
        self.tx.put("guesses", (client, video_id), record)
        return record.failures

    async def hold(self, client: str, video_id: str, until: datetime) -> None:
        record = await self.get(client, video_id)
        if record is not None:
            record.next_allowed_at = until
            self.tx.put("guesses", (client, video_id), record)

    async def clear(self, client: str, video_id: str) -> None:
        if (client, video_id) in self.tx.read("guesses"):
            del self.tx.write("guesses")[(client, video_id)]

    async def delete_stale(self, last_failure_before: datetime) -> int:
        guesses = self.tx.read("guesses")
        stale = [key for key, record in guesses.items() if record.last_failure_at < last_failure_before]
        if stale:
            table = self.tx.write("guesses")
            for key in stale:
                del table[key]
        return len(stale)


class MemoryResumableUploadRepository(_Repository, ResumableUploadRepository):
    async def add(self, upload: ResumableUpload) -> None:
        self.tx.put("resumable_uploads", upload.id, upload)

    async def get(self, upload_id: str) -> ResumableUpload | None:
        found: ResumableUpload | None = self.tx.get("resumable_uploads", upload_id)
        return found

    async def claim(self, upload_id: str, offset: int, token: str, now: datetime, until: datetime) -> bool:
        upload = await self.get(upload_id)
        if upload is None or upload.finished or upload.expired(now) or upload.received != offset or upload.leased(now):
            return False
        upload.lease, upload.lease_until = token, until
        self.tx.put("resumable_uploads", upload_id, upload)
        return True

    async def renew(self, upload_id: str, token: str, until: datetime) -> bool:
        upload = await self.get(upload_id)
        if upload is None or upload.lease != token:
            return False
        upload.lease_until = until
        self.tx.put("resumable_uploads", upload_id, upload)
        return True

    async def release(self, upload_id: str, token: str, received: int, finished: bool = False) -> bool:
        upload = await self.get(upload_id)
        if upload is None or upload.lease != token:
            return False
        upload.received, upload.finished, upload.lease, upload.lease_until = received, finished, "", None
        self.tx.put("resumable_uploads", upload_id, upload)
        return True

    async def claim_for_removal(self, upload_id: str, now: datetime) -> bool:
        upload = await self.get(upload_id)
        if upload is None or (upload.lease != REMOVAL and upload.leased(now)):
            return False
        upload.lease, upload.lease_until = REMOVAL, None
        self.tx.put("resumable_uploads", upload_id, upload)
        return True

    async def delete(self, upload_id: str) -> None:
        self.tx.write("resumable_uploads").pop(upload_id, None)

    async def ended_before(self, moment: datetime, limit: int) -> list[ResumableUpload]:
        ended = sorted(
            (u for u in self.tx.read("resumable_uploads").values() if u.expires_at <= moment),
            key=lambda u: (u.expires_at, u.id),
        )
        return [self.tx.get("resumable_uploads", u.id) for u in ended[:limit]]
