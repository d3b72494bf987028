"""Where the client finds the service and its key: options first, then ``VOD_API_URL`` / ``VOD_API_KEY``.

These are the client's settings, not the service's (``entrypoints.config``): a machine that only runs
``vod upload`` has no data directory or database to configure.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

DEFAULT_API_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class ClientSettings:
    api_url: str
    api_key: str
    upload_state: Path
    """The file remembering unfinished uploads (``VOD_UPLOAD_STATE``; default in the user's state directory)."""

    @classmethod
    def resolve(
        cls, api_url: str | None, api_key: str | None, env: Mapping[str, str] = os.environ
    ) -> ClientSettings:
        state = env.get("VOD_UPLOAD_STATE") or str(Path(platformdirs.user_state_dir("vod")) / "uploads.json")
        return cls(
            api_url=(api_url or env.get("VOD_API_URL") or DEFAULT_API_URL).rstrip("/"),
            api_key=api_key or env.get("VOD_API_KEY", ""),
            upload_state=Path(state),
        )
