"""The URL a video's original is downloaded from (:attr:`vod_core.video.Video.source_url`, API.md C3).

Videos made before were all uploaded files: they get ``''``. (``failure_reason``
of videos and play sets has been a column since m0001.)
"""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

VERSION = 10
NAME = "video_source_url"


async def apply(connection: BaseDBAsyncClient, dialect: str) -> None:
    await connection.execute_query("ALTER TABLE video ADD COLUMN source_url TEXT NOT NULL DEFAULT ''")
