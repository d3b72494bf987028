"""Screenshots of every page at desktop (1280x800) and phone (390x844) width, into docs/screenshots/.

Run from a checkout with the test extra installed (Playwright, Debian's
/usr/bin/chromium): ``.venv/bin/python docs/screenshots.py``. It starts a
``vod serve`` on a temporary data directory, uploads a short generated
clip, makes it public, and photographs the console, watch and embed pages.
Nothing leaves the machine.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.media.factory import Clip, make_clip  # noqa: E402  (a checkout's own clip maker)
from tests.support.browser import headless_chromium  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
KEY = "screenshots-key-0123456789"
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait(what: str, check: object, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.2)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "VOD_DATA_DIR": f"{tmp}/data", "VOD_PORT": str(port), "VOD_HOST": "127.0.0.1"}
        env["VOD_DEFAULT_API_KEY"] = KEY
        vod = Path(sys.executable).with_name("vod")
        with open(f"{tmp}/serve.log", "w") as log:
            server = subprocess.Popen([str(vod), "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            api = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {KEY}"}, timeout=30)

            def healthy() -> bool:
                try:
                    return api.get("/health").status_code == 200
                except httpx.TransportError:
                    return False

            wait("vod serve", healthy)
            clip = f"{tmp}/holiday.mp4"
            make_clip(clip, Clip(width=320, height=180, seconds=2.0))
            with open(clip, "rb") as source:
                stored = api.post("/storage/api/upload", files={"file": ("holiday.mp4", source)}).json()
            video_id = api.post("/video/api/create", json={"storage_id": stored["storage_id"]}).json()["id"]
            wait("the video", lambda: api.get("/video/api/get", params={"id": video_id}).json()["video"]["status"] == 1)
            api.post("/video/api/set_video_password", params={"id": video_id}, json={"shared_state": 2})
            pages = {
                "console-library": "/console",
                "console-video": f"/console/videos/{video_id}",
                "console-upload": "/console/upload",
                "console-traffic": f"/console/traffic?video={video_id}",
                "console-settings": "/console/settings",
                "watch": f"/watch/{video_id}",
                "embed": f"/embed/{video_id}",
            }
            OUT.mkdir(parents=True, exist_ok=True)
            for browser in headless_chromium():
                for size, (width, height) in SIZES.items():
                    context = browser.new_context(viewport={"width": width, "height": height})  # type: ignore[attr-defined]
                    page = context.new_page()
                    page.goto(f"{base}/console")
                    page.screenshot(path=str(OUT / f"console-sign-in-{size}.png"))
                    page.fill("#api_key", KEY)
                    page.click("button[type=submit]")
                    page.wait_for_selector("#search")
                    for name, path in pages.items():
                        page.goto(base + path)
                        page.wait_for_load_state("networkidle")
                        page.screenshot(path=str(OUT / f"{name}-{size}.png"), full_page=True)
                    context.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"screenshots written to {OUT}")


if __name__ == "__main__":
    main()
