"""The export streams in chunks and never holds the database while its reader is slow."""

from __future__ import annotations

import asyncio

import pytest

from tests.traffic.conftest import Store
from vod_core.services import traffic as traffic_service
from vod_core.traffic import TrafficRecord

MINUTE = 1_710_000_000 - 1_710_000_000 % 60


async def test_ingestion_proceeds_while_an_export_is_paused_mid_stream(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(traffic_service, "EXPORT_CHUNK", 2)
    for n in range(5):
        await store.add_video(f"clip{n}", "owner", f"clip {n}")
    await store.vod.traffic.ingest([TrafficRecord(f"clip{n}", 100 - n, MINUTE) for n in range(5)])
    traffic = store.vod.traffic
    export = traffic.stream_video_total_summary(traffic.totals_query("owner"))

    first = await anext(export)  # the reader stops here, between chunks' rows
    counted = await asyncio.wait_for(traffic.ingest([TrafficRecord("clip4", 1000, MINUTE)]), timeout=30)

    rest = [row async for row in export]
    assert counted == 1000
    assert first.video_id == "clip0"
    # clip4 grew past the cursor after the first chunk was read: the export goes on from where it was.
    assert [row.video_id for row in rest] == ["clip1", "clip2", "clip3"]
