"""A throwaway PostgreSQL database for one benchmark run."""

from __future__ import annotations

import argparse
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg  # type: ignore[import-untyped]

DEFAULT_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/test"


def add_admin_url_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pg-admin-url", default=os.environ.get("VOD_TEST_PG_ADMIN_URL", DEFAULT_ADMIN_URL))


@asynccontextmanager
async def scratch_database(admin_url: str) -> AsyncIterator[str]:
    """Create a fresh database next to ``admin_url``'s, yield its URL, drop it afterwards."""
    name = f"vod_bench_{secrets.token_hex(3)}"
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"{admin_url.rpartition('/')[0]}/{name}"
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()
