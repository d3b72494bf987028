"""The webhook side of ``vod serve`` as its own process: ``BackgroundServices`` over a shared SQLite file.

Runs until SIGTERM, with short retry delays so a test sees several tries.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from datetime import timedelta

from adapters.tortoise import TortoiseDatabase
from entrypoints.bootstrap import bootstrap
from entrypoints.config import Config
from vod_core.services.notifications import RetryPolicy

TEST_POLICY = RetryPolicy(
    first_delay=timedelta(milliseconds=50), max_delay=timedelta(milliseconds=200), lease=timedelta(seconds=2)
)


async def main(database_url: str) -> None:
    database = TortoiseDatabase(database_url)
    await database.connect(migrate=False)
    runtime = bootstrap(Config.in_memory(webhook_allow_private=True), database=database)
    services = runtime.background(
        retry_policy=TEST_POLICY,
        dispatch_interval_s=0.05,
        webhook_timeout_s=1.0,
    )
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await services.start()
    try:
        await stop.wait()
    finally:
        await services.stop()
        await database.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    logging.basicConfig(level=logging.INFO, format="%(process)d %(name)s %(message)s")
    asyncio.run(main(parser.parse_args().database))
