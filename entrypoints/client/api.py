"""``VodClient``: the service's JSON API (API.md Parts A and B) as typed calls over one ``httpx.Client``.

Every call returns dataclasses or raises ``ApiError`` with the server's ``errcode`` and ``msg``; a
service that cannot be reached raises ``Unreachable``. The dataclasses keep the server's JSON object
(``raw``) too, so ``--json`` output shows every field the server sends, including ones this client
does not know yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from vod_core.errors import OK
from vod_core.play_set import PlaySetStatus
from vod_core.video import SharedState, VideoStatus

TIMEOUT_S = 30.0
FAILED_PLAY_SET = frozenset({PlaySetStatus.TRANSCODE_FAILED, PlaySetStatus.UPLOAD_FAILED})


class ClientError(Exception):
    """Something the command reports to its user and exits non-zero for."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ApiError(ClientError):
    """The service answered with an error: its ``errcode`` (0 when the answer was not the API's JSON)."""

    def __init__(self, errcode: int, message: str, status: int) -> None:
        super().__init__(message)
        self.errcode = errcode
        self.status = status


class Unreachable(ClientError):
    """No answer from the service (refused, reset, timed out)."""


@dataclass(frozen=True)
class PlaySet:
    play_set_id: str
    status: int
    trans_progress: float
    template_id: int
    resolution: str
    url: str
    failure_reason: str
    raw: Mapping[str, Any]

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> PlaySet:
        return cls(
            play_set_id=str(raw["play_set_id"]),
            status=int(raw["status"]),
            trans_progress=float(raw.get("trans_progress", 0.0)),
            template_id=int(raw.get("trans_task_config_temp_id", 0)),
            resolution=str(raw.get("resolution", "")),
            url=str(raw.get("url", "")),
            failure_reason=str(raw.get("failure_reason") or ""),
            raw=raw,
        )

    @property
    def ready(self) -> bool:
        return self.status == PlaySetStatus.READY

    @property
    def failed(self) -> bool:
        return self.status in FAILED_PLAY_SET


@dataclass(frozen=True)
class Video:
    id: str
    status: int
    video_name: str
    created_at: str
    file_size: int
    video_width: int
    video_height: int
    video_duration: int
    shared_state: int
    origin_url: str
    failure_reason: str
    play_sets: tuple[PlaySet, ...]
    raw: Mapping[str, Any]

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> Video:
        return cls(
            id=str(raw["id"]),
            status=int(raw["status"]),
            video_name=str(raw.get("video_name", "")),
            created_at=str(raw.get("created_at", "")),
            file_size=int(raw.get("file_size", 0)),
            video_width=int(raw.get("video_width", 0)),
            video_height=int(raw.get("video_height", 0)),
            video_duration=int(raw.get("video_duration", 0)),
            shared_state=int(raw.get("shared_state", SharedState.PRIVATE)),
            origin_url=str(raw.get("origin_url", "")),
            failure_reason=str(raw.get("failure_reason") or ""),
            play_sets=tuple(PlaySet.of(p) for p in raw.get("play_set", [])),
            raw=raw,
        )

    @property
    def ready(self) -> bool:
        return self.status == VideoStatus.READY

    @property
    def failed(self) -> bool:
        """The video is not usable, or one of its renditions failed."""
        return self.status == VideoStatus.UPLOAD_FAILED or any(p.failed for p in self.play_sets)

    @property
    def settled(self) -> bool:
        """Nothing will change on its own any more: failed, deleted, or ready with every rendition final."""
        if self.status in (VideoStatus.UPLOAD_FAILED, VideoStatus.DELETED):
            return True
        return self.ready and all(p.ready or p.failed for p in self.play_sets)


@dataclass(frozen=True)
class VideoPage:
    videos: tuple[Video, ...]
    count: int


class VodClient:
    """One API key on one service. Close it (or use ``with``) to release its connections."""

    def __init__(self, api_url: str, api_key: str, *, timeout_s: float = TIMEOUT_S) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.api_url = api_url.rstrip("/")
        self.http = httpx.Client(base_url=self.api_url, headers=headers, timeout=timeout_s)

    def __enter__(self) -> VodClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send one request; a transport failure becomes ``Unreachable`` naming the URL."""
        try:
            return self.http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise Unreachable(f"cannot reach {self.api_url}: {exc or type(exc).__name__}") from exc

    def call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """One API call: the JSON body when ``errcode`` is 1000, else ``ApiError``."""
        return checked(self.request(method, path, **kwargs))

    def create_video(self, storage_id: str, *, video_name: str | None = None, skip_auto_trans: bool = False) -> str:
        body: dict[str, Any] = {"storage_id": storage_id, "skip_auto_trans": skip_auto_trans}
        if video_name:
            body["video_name"] = video_name
        return str(self.call("POST", "/video/api/create", json=body)["id"])

    def get_video(self, video_id: str) -> Video:
        return Video.of(self.call("GET", "/video/api/get", params={"id": video_id})["video"])

    def list_videos(self, *, page: int = 1, page_size: int = 15) -> VideoPage:
        return _page(self.call("GET", "/video/api/list", params={"page": page, "page_size": page_size}))

    def search_videos(
        self, search: str, *, source_type: str | None = None, page: int = 1, page_size: int = 15
    ) -> VideoPage:
        params: dict[str, Any] = {"search": search, "page": page, "page_size": page_size}
        if source_type is not None:
            params["source_type"] = source_type
        return _page(self.call("GET", "/video/api/search", params=params))

    def delete_video(self, video_id: str) -> None:
        self.call("POST", "/video/api/delete", params={"id": video_id})

    def start_transcode(self, video_id: str, template_id: int, *, redo: bool = False) -> str:
        body = {"task_config_temp_id": template_id, "redo": redo}
        return str(self.call("POST", "/video/api/trans", params={"id": video_id}, json=body)["play_set_id"])

    def set_share(self, video_id: str, shared_state: SharedState, password: str = "") -> None:
        body = {"shared_state": int(shared_state), "password": password}
        self.call("POST", "/video/api/set_video_password", params={"id": video_id}, json=body)


def checked(response: httpx.Response) -> dict[str, Any]:
    """The API's JSON envelope of ``response``, or ``ApiError`` with its code and message."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("errcode"), int):
        status = response.status_code
        raise ApiError(0, f"HTTP {status} {response.reason_phrase} from {response.url}", status)
    if body["errcode"] != OK:
        raise ApiError(body["errcode"], str(body.get("msg", "")), response.status_code)
    return body


def _page(body: Mapping[str, Any]) -> VideoPage:
    return VideoPage(tuple(Video.of(v) for v in body["videos"]), int(body["count"]))
