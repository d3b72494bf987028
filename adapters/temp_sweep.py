"""Removing temp files that a killed process left behind.

Temp files and directories of the service are named ``<prefix><pid>-<random>``:
the pid of the process that made them. At start, an entry whose process is
dead is removed at once; any other entry only once nothing in it changed for
``grace_s`` (a live upload or transcode keeps writing, so its files stay
fresh). Entries of this very process are never removed by pid: a process
never sweeps its own work in progress.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import time
from collections.abc import Sequence

log = logging.getLogger(__name__)

DEFAULT_GRACE_S = 6 * 3600.0
"""Entries with a live (or unknown) owner are removed only after this long without a change."""


def marked(prefix: str) -> str:
    """``prefix`` plus this process's pid marker: pass it as the ``prefix`` of ``tempfile`` calls."""
    return f"{prefix}{os.getpid()}-"


def sweep(directory: str, prefixes: Sequence[str], *, grace_s: float = DEFAULT_GRACE_S) -> list[str]:
    """Remove the leftovers under ``directory`` whose names start with one of ``prefixes``; returns their paths."""
    removed: list[str] = []
    try:
        entries = list(os.scandir(directory))
    except FileNotFoundError:
        return removed
    now = time.time()
    for entry in entries:
        prefix = next((p for p in prefixes if entry.name.startswith(p)), None)
        if prefix is None or not _abandoned(entry, prefix, now - grace_s):
            continue
        _remove(entry)
        removed.append(entry.path)
    if removed:
        log.info("removed %d temp entries left by dead processes in %s", len(removed), directory)
    return removed


def _abandoned(entry: os.DirEntry[str], prefix: str, stale_before: float) -> bool:
    owner = re.match(r"(\d+)-", entry.name[len(prefix) :])
    if owner is not None:
        pid = int(owner.group(1))
        if pid != os.getpid() and not _alive(pid):
            return True
    return _last_change(entry) < stale_before


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _last_change(entry: os.DirEntry[str]) -> float:
    """The newest modification time of the entry and, for a directory, of what is directly in it."""
    try:
        newest = entry.stat(follow_symlinks=False).st_mtime
        if entry.is_dir(follow_symlinks=False):
            for inner in os.scandir(entry.path):
                newest = max(newest, inner.stat(follow_symlinks=False).st_mtime)
    except FileNotFoundError:
        return time.time()  # going away by itself: leave it
    return newest


def _remove(entry: os.DirEntry[str]) -> None:
    with contextlib.suppress(FileNotFoundError):
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            os.unlink(entry.path)
