"""The upload URLs of unfinished uploads, per file, in a small JSON file: what lets ``vod upload`` resume.

A file is known by service URL, absolute path, size and modification time: a file changed since
(other size or mtime) starts a new upload. Writes go to a temporary file renamed over the old one,
so a client killed mid-write leaves the previous state, never half a file.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class FileKey:
    api_url: str
    path: str
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, api_url: str, path: Path) -> FileKey:
        stat = path.stat()
        return cls(api_url, str(path.resolve()), stat.st_size, stat.st_mtime_ns)

    def __str__(self) -> str:
        return f"{self.api_url} {self.size} {self.mtime_ns} {self.path}"


class UploadMemory:
    def __init__(self, state_file: Path) -> None:
        self.state_file = state_file

    def recall(self, key: FileKey) -> str | None:
        return self._load().get(str(key))

    def remember(self, key: FileKey, upload_url: str) -> None:
        self._save({**self._load(), str(key): upload_url})

    def forget(self, key: FileKey) -> None:
        uploads = self._load()
        if uploads.pop(str(key), None) is not None:
            self._save(uploads)

    def _load(self) -> dict[str, str]:
        try:
            loaded = json.loads(self.state_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except ValueError:  # damaged by hand or by a full disk: start afresh rather than refuse to upload
            return {}
        uploads = loaded.get("uploads") if isinstance(loaded, dict) else None
        if not isinstance(uploads, dict):
            return {}
        return {str(k): str(v) for k, v in uploads.items()}

    def _save(self, uploads: dict[str, str]) -> None:
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=self.state_file.parent, prefix=".uploads-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump({"uploads": uploads}, out, indent=1, sort_keys=True)
            os.replace(temporary, self.state_file)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
