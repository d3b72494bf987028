"""The client commands of ``vod``: ``upload``, ``videos list|get|search|delete``, ``wait``, ``share`` (API.md C4).

They talk to a running service over HTTP (``--api-url``/``VOD_API_URL``, ``--api-key``/``VOD_API_KEY``)
and need none of the service's own settings. Exit status: 0 done, 1 the service refused or a video
failed (its message on stderr), 2 bad usage, 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from entrypoints.cli.display import err, out, print_json, video_details, video_table
from entrypoints.cli.waiting import probed, settled, watch
from entrypoints.client import ClientSettings, Video, VodClient
from entrypoints.client.api import ApiError, ClientError
from entrypoints.client.tus import DEFAULT_CHUNK_BYTES, TusUploader
from entrypoints.client.upload_memory import UploadMemory
from vod_core.errors import TranscodeExists
from vod_core.video import SharedState

COMMANDS = frozenset({"upload", "videos", "wait", "share"})
INTERRUPTED = 130
"""128 + SIGINT, what a shell reports for a command stopped by Ctrl-C."""


def add_client_commands(commands: argparse._SubParsersAction[Any]) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--api-url", help="the service (default: VOD_API_URL, else http://127.0.0.1:8000)")
    common.add_argument("--api-key", help="your API key (default: VOD_API_KEY)")
    common.add_argument("--json", action="store_true", help="print the server's JSON (one document a line)")

    upload = commands.add_parser(
        "upload", parents=[common], help="upload files (resumable) and create a video of each"
    )
    upload.add_argument("files", nargs="+", type=Path, metavar="FILE")
    upload.add_argument("--name", help="name of the video (one FILE only; default: the file's name)")
    upload.add_argument("--trans", type=_template_ids, default=(), help="templates to transcode with, e.g. 1,3")
    upload.add_argument("--wait", action="store_true", help="wait until the videos and their play sets are ready")
    upload.add_argument("--timeout", type=_seconds, help="give up waiting after this many seconds")
    upload.add_argument(
        "--chunk-size", type=_positive, default=DEFAULT_CHUNK_BYTES, help="bytes per request (default 8 MiB)"
    )

    videos = commands.add_parser("videos", help="your videos").add_subparsers(dest="videos_command", required=True)
    listing = videos.add_parser("list", parents=[common], help="your videos, newest first")
    search = videos.add_parser("search", parents=[common], help="find videos by id or part of the name")
    search.add_argument("text")
    search.add_argument("--source-type", help="only videos of this source type")
    for paged in (listing, search):
        paged.add_argument("--page", type=_positive, default=1)
        paged.add_argument("--page-size", type=_positive, default=15)
    get = videos.add_parser("get", parents=[common], help="one video and its play sets")
    get.add_argument("video_id", metavar="ID")
    delete = videos.add_parser("delete", parents=[common], help="delete videos with their files")
    delete.add_argument("video_ids", nargs="+", metavar="ID")

    wait = commands.add_parser("wait", parents=[common], help="wait until videos and their play sets are ready")
    wait.add_argument("video_ids", nargs="+", metavar="ID")
    wait.add_argument("--timeout", type=_seconds, help="give up after this many seconds")

    share = commands.add_parser("share", parents=[common], help="make a video public, password-protected or private")
    share.add_argument("video_id", metavar="ID")
    how = share.add_mutually_exclusive_group(required=True)
    how.add_argument("--public", action="store_true")
    how.add_argument("--password", help="1–16 characters")
    how.add_argument("--private", action="store_true")


def run_client_command(args: argparse.Namespace) -> int:
    settings = ClientSettings.resolve(args.api_url, args.api_key)
    try:
        with VodClient(settings.api_url, settings.api_key) as client:
            return _dispatch(client, settings, args)
    except ClientError as error:
        err.print(f"vod: {error.message}", markup=False)
        return 1
    except OSError as error:
        err.print(f"vod: {error}", markup=False)
        return 1
    except KeyboardInterrupt:
        err.print("vod: interrupted", markup=False)
        return INTERRUPTED


def _dispatch(client: VodClient, settings: ClientSettings, args: argparse.Namespace) -> int:
    if args.command == "upload":
        if args.name and len(args.files) > 1:
            raise ClientError("--name names the video of one FILE; give one FILE or leave --name out")
        uploader = TusUploader(client, UploadMemory(settings.upload_state), chunk_bytes=args.chunk_size)
        return _upload(client, uploader, args)
    if args.command == "wait":
        return _report(watch(client, args.video_ids, settled, show=_bars(args), timeout_s=args.timeout), args.json)
    if args.command == "share":
        given = args.password is not None  # an empty --password is the server's to refuse, not a private share
        state = SharedState.PUBLIC if args.public else SharedState.PASSWORD if given else SharedState.PRIVATE
        client.set_share(args.video_id, state, args.password or "")
        return _report([client.get_video(args.video_id)], args.json)
    if args.videos_command == "get":
        return _report([client.get_video(args.video_id)], args.json)
    if args.videos_command == "delete":
        for video_id in args.video_ids:
            client.delete_video(video_id)
            if args.json:
                print_json({"id": video_id, "deleted": True})
            else:
                out.print(f"deleted {video_id}")
        return 0
    if args.videos_command == "list":
        page = client.list_videos(page=args.page, page_size=args.page_size)
    else:
        page = client.search_videos(args.text, source_type=args.source_type, page=args.page, page_size=args.page_size)
    if args.json:
        print_json({"videos": [dict(v.raw) for v in page.videos], "count": page.count})
    else:
        video_table(page)
    return 0


def _upload(client: VodClient, uploader: TusUploader, args: argparse.Namespace) -> int:
    video_ids = []
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn())
    with Progress(*columns, TimeRemainingColumn(), console=err, disable=not _bars(args)) as progress:
        for path in args.files:
            task = progress.add_task(f"upload {path.name}", total=None)

            def advance(done: int, total: int, task: TaskID = task) -> None:
                progress.update(task, completed=done, total=total)

            uploaded = uploader.upload(path, advance)
            video_ids.append(client.create_video(uploaded.storage_id, video_name=args.name or path.name))
            uploader.finished(uploaded)
    if args.trans:
        for video in watch(client, video_ids, probed, show=_bars(args), timeout_s=args.timeout):
            if video.ready:
                _start_transcodes(client, video.id, args.trans)
    if args.wait:
        return _report(watch(client, video_ids, settled, show=_bars(args), timeout_s=args.timeout), args.json)
    return _report([client.get_video(i) for i in video_ids], args.json)


def _start_transcodes(client: VodClient, video_id: str, template_ids: Sequence[int]) -> None:
    for template_id in template_ids:
        try:
            client.start_transcode(video_id, template_id)
        except ApiError as error:
            if error.errcode != TranscodeExists.code:  # the user's auto-transcode already started it
                raise


def _report(videos: Sequence[Video], as_json: bool) -> int:
    """Print the videos; 1 when one of them failed, naming why."""
    for video in videos:
        if as_json:
            print_json(dict(video.raw))
        else:
            video_details(video)
    failed = [v for v in videos if v.failed]
    for video in failed:
        reasons = [video.failure_reason] + [f"{p.resolution}: {p.failure_reason}" for p in video.play_sets if p.failed]
        why = "; ".join(r for r in reasons if r) or "no reason given"
        err.print(f"vod: video {video.id} failed: {why}", markup=False)
    return 1 if failed else 0


def _bars(args: argparse.Namespace) -> bool:
    """Progress bars only for a person at a terminal: never with --json, never into a log file."""
    return not args.json and err.is_terminal


def _template_ids(raw: str) -> tuple[int, ...]:
    try:
        ids = tuple(int(part) for part in raw.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"--trans takes template ids like 1,3, not {raw!r}") from None
    if not ids:
        raise argparse.ArgumentTypeError("--trans needs at least one template id")
    return ids


def _positive(raw: str) -> int:
    if not raw.isdigit() or int(raw) < 1:
        raise argparse.ArgumentTypeError(f"a positive whole number, not {raw!r}")
    return int(raw)


def _seconds(raw: str) -> float:
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not seconds > 0:
        raise argparse.ArgumentTypeError(f"a positive number of seconds, not {raw!r}")
    return seconds

