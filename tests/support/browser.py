"""Debian's Chromium driven by Playwright for the browser tests (never a browser download).

In CI a missing Playwright or Chromium fails the test (``unreachable``); on
a developer machine it is skipped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import unreachable

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
"""Host names a browser test's requests may go to: anything else left the machine."""
PLAYS = """async (video) => {
  video.muted = true;
  await video.play();
  const deadline = Date.now() + 20000;
  while (video.currentTime < 0.5) {
    if (Date.now() > deadline) {
      throw new Error('stuck at ' + video.currentTime + ', error ' + (video.error && video.error.message));
    }
    await new Promise(ok => setTimeout(ok, 50));
  }
  return {currentTime: video.currentTime, src: video.currentSrc, poster: video.poster};
}"""
"""A script for ``evaluate`` on a ``<video>``: plays it muted until half a second has played (20 s at most)."""
CHROMIUM = Path(os.environ.get("VOD_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    # Without these Chromium calls Google's hosts, which the closed network refuses.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--mute-audio",
]


def headless_chromium() -> Iterator[object]:
    """A launched headless Chromium (a ``playwright.sync_api.Browser``), closed afterwards; use as a fixture body."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as exc:
        unreachable("Playwright", exc)
    if not CHROMIUM.exists():
        unreachable("Chromium", FileNotFoundError(str(CHROMIUM)))
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        except Error as exc:
            unreachable("Chromium", exc)
        yield launched
        launched.close()
