"""The ``vod`` command: the service's own commands (``entrypoints.cli.service``) and the client commands
that talk to a running service over HTTP (``entrypoints.cli.client_commands``)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from entrypoints.cli.client_commands import COMMANDS as CLIENT_COMMANDS
from entrypoints.cli.client_commands import add_client_commands, run_client_command
from entrypoints.cli.service import add_service_commands, package_version, run_service_command

__all__ = ["main", "parser"]


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="vod", description="The video-on-demand service and its client.")
    root.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    commands = root.add_subparsers(dest="command", required=True)
    add_service_commands(commands)
    add_client_commands(commands)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command in CLIENT_COMMANDS:
        return run_client_command(args)
    return run_service_command(args)
