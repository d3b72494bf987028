"""The portable half of "workers die with their parent": the parent-id watch, without PR_SET_PDEATHSIG."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import psutil

from tests.e2e.conftest import wait_for

ROOT = Path(__file__).resolve().parents[2]
MIDDLE = """
import multiprocessing, os, sys, time
from adapters.media.worker import _watch_parent

if __name__ == "__main__":
    child = multiprocessing.get_context("spawn").Process(target=_watch_parent, args=(os.getpid(),))
    child.start()
    print(child.pid, flush=True)
    time.sleep(600)  # the test kills this process long before
"""


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_a_worker_whose_parent_is_killed_exits(tmp_path: Path) -> None:
    script = tmp_path / "middle.py"
    script.write_text(MIDDLE)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    middle = subprocess.Popen([sys.executable, str(script)], env=env, stdout=subprocess.PIPE, text=True)
    child_pid = 0
    try:
        assert middle.stdout is not None
        child_pid = int(middle.stdout.readline())
        assert not gone(child_pid)
        middle.send_signal(signal.SIGKILL)
        middle.wait(timeout=10)
        wait_for("the orphaned worker to exit", lambda: True if gone(child_pid) else None, timeout_s=10)
    finally:
        if middle.poll() is None:
            middle.kill()
        if child_pid and not gone(child_pid):
            os.kill(child_pid, signal.SIGKILL)
