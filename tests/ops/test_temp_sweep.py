"""Temp files of dead processes are swept at start; work in progress never is."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from adapters.media.transcoder import PyAVTranscoder
from adapters.storage import LocalStorage
from adapters.temp_sweep import DEFAULT_GRACE_S, marked, sweep


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def age(path: Path, seconds: float) -> Path:
    if not path.exists():
        path.write_bytes(b"x")
    then = time.time() - seconds
    os.utime(path, (then, then))
    return path


def test_entries_of_dead_processes_go_and_live_fresh_ones_stay(tmp_path: Path) -> None:
    dead, parent = dead_pid(), os.getppid()
    work = tmp_path / f"vod-transcode-{dead}-abc"
    work.mkdir()
    (work / "out.mp4").write_bytes(b"x")
    gone = [work, tmp_path / f"upload-{dead}-x"]
    stale = age(tmp_path / f"upload-{parent}-old", DEFAULT_GRACE_S + 60)  # live owner, untouched for hours
    unmarked_stale = age(tmp_path / "upload-legacy", DEFAULT_GRACE_S + 60)
    kept = [
        tmp_path / f"upload-{parent}-fresh",  # live owner, being written
        tmp_path / f"upload-{os.getpid()}-mine",
        tmp_path / "upload-legacy-fresh",
        tmp_path / f"other-{dead}-x",  # not ours
    ]
    for path in [*gone[1:], *kept]:
        path.write_bytes(b"x")

    removed = sweep(str(tmp_path), ("upload-", "vod-transcode-"))

    assert sorted(removed) == sorted(str(p) for p in [*gone, stale, unmarked_stale])
    assert all(p.exists() for p in kept)
    assert not any(p.exists() for p in [*gone, stale, unmarked_stale])


def test_a_new_directory_is_missing_nothing(tmp_path: Path) -> None:
    assert sweep(str(tmp_path / "absent"), ("upload-",)) == []


def test_a_directory_whose_files_still_change_is_not_stale(tmp_path: Path) -> None:
    work = tmp_path / f"vod-transcode-{os.getppid()}-abc"
    work.mkdir()
    age(work, DEFAULT_GRACE_S + 60)
    (work / "out.mp4").write_bytes(b"x")  # written just now
    assert sweep(str(tmp_path), ("vod-transcode-",)) == []


def test_storage_sweeps_its_temp_dir_when_opened(tmp_path: Path) -> None:
    (tmp_path / "tmp").mkdir()
    leftover = tmp_path / "tmp" / f"upload-{dead_pid()}-x"
    leftover.write_bytes(b"half an upload")
    LocalStorage(str(tmp_path))
    assert not leftover.exists()


def test_storage_temp_files_carry_the_pid_marker(tmp_path: Path) -> None:
    storage = LocalStorage(str(tmp_path))
    handle, path = storage._temp_file()
    handle.close()
    assert os.path.basename(path).startswith(marked("upload-"))


async def test_the_transcoder_sweeps_dead_processes_work_dirs() -> None:
    leftover = Path(tempfile.gettempdir()) / f"vod-transcode-{dead_pid()}-test"
    leftover.mkdir()
    transcoder = PyAVTranscoder(max_workers=1)
    try:
        assert not leftover.exists()
    finally:
        await transcoder.close()
