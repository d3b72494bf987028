"""Stopping and restarting the service process with undelivered events: they arrive after the restart."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.system import RandomIds
from adapters.tortoise import TortoiseDatabase, sqlite_url
from tests.jobs.helpers import eventually
from tests.notify.receiver import running_receiver
from vod_core.events import PLAY_SET_READY, OutboxEvent
from vod_core.settings import EventCategory, UserSettings

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
FAR_FUTURE = datetime(2100, 1, 1, tzinfo=UTC)


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


async def test_events_left_undelivered_by_a_stopped_service_are_delivered_after_its_restart(
    tmp_path: Path, processes: list[subprocess.Popen[bytes]]
) -> None:
    url = sqlite_url(str(tmp_path / "data"))
    database = TortoiseDatabase(url)
    await database.connect()

    def start_service() -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "tests.notify.dispatcher_process", "--database", url]
        processes.append(subprocess.Popen(command, cwd=ROOT))
        return processes[-1]

    async def undelivered() -> int:
        async with database.unit_of_work() as uow:
            return len(await uow.outbox.due(FAR_FUTURE, 100))

    try:
        async with running_receiver() as receiver:
            receiver.accepting = False
            ids = RandomIds()
            now = datetime.now(UTC)
            async with database.unit_of_work() as uow:
                settings = UserSettings("u1", "secret-1", callbacks={EventCategory.TRANSCODING: receiver.url})
                await uow.settings.save(settings)
                for n in range(3):
                    payload = {"event_type": PLAY_SET_READY, "video_id": f"v{n}", "play_set_id": f"p{n}"}
                    await uow.outbox.add(OutboxEvent(ids.new_id(), "u1", PLAY_SET_READY, payload, now, now))
                await uow.commit()

            service = start_service()

            async def each_refused() -> bool:
                return len({r.delivery for r in receiver.requests}) == 3

            await eventually(each_refused, what="every event to be tried once")
            service.send_signal(signal.SIGTERM)
            assert service.wait(timeout=15) == 0
            refused_before_restart = len(receiver.requests)
            assert await undelivered() == 3

            receiver.accepting = True
            restarted = start_service()

            async def all_accepted() -> bool:
                return len(receiver.accepted()) == 3

            await eventually(all_accepted, what="every event to be accepted after the restart")
            restarted.send_signal(signal.SIGTERM)
            assert restarted.wait(timeout=15) == 0

        assert len(receiver.requests) > refused_before_restart
        assert set(receiver.accepted().values()) == {1}
        assert all(r.signed_with("secret-1") for r in receiver.requests)
        assert await undelivered() == 0
    finally:
        await database.close()
