"""The HLS packaging of each play set (:attr:`vod_core.play_set.PlaySet.hls_index`).

JSON text written by the transcoder's measurements (:mod:`vod_core.packaging`).
Play sets made before are plain MP4 files: they get ``''``, which playlists
skip (their ``url`` keeps playing); transcoding the template again packages
them.
"""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

VERSION = 8
NAME = "play_set_hls_index"


async def apply(connection: BaseDBAsyncClient, dialect: str) -> None:
    await connection.execute_query("ALTER TABLE play_set ADD COLUMN hls_index TEXT NOT NULL DEFAULT ''")
