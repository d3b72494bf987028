"""Traffic statistics over HTTP: per minute, per video, per day, totals and CSV exports."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from tests.http.conftest import START, Service
from vod_core.traffic import TrafficRecord

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = int(START.timestamp())  # 2026-01-01 12:00 in Shanghai
MIDNIGHT = int(datetime(2026, 1, 1, tzinfo=SHANGHAI).timestamp())
DAY = 86400


async def with_traffic(service: Service) -> tuple[str, str]:
    big = await service.ready_video(name='big, "quoted".mp4')
    small = await service.ready_video(name="small.mp4")
    await service.vod.traffic.ingest(
        [
            TrafficRecord(big, 1000, T0 + 5),
            TrafficRecord(big, 500, T0 + 61),
            TrafficRecord(small, 70, T0 + DAY + 10),
        ]
    )
    return big, small


async def test_statistic_lists_minutes_with_traffic_in_the_service_zone(service: Service) -> None:
    big, _ = await with_traffic(service)
    response = await service.api.get("/video/api/list_video_statistic", id=big, start=T0, end=T0 + 3600)
    assert response.json["video_statistic"] == [
        {"time": "2026-01-01T12:00:00+08:00", "bytes": 1000},
        {"time": "2026-01-01T12:01:00+08:00", "bytes": 500},
    ]


async def test_statistic_windows_are_validated(service: Service) -> None:
    big, _ = await with_traffic(service)
    for params, field in (
        ({"start": T0, "end": T0 - 1}, "end"),
        ({"start": T0, "end": T0 + 91 * DAY}, "end"),
        ({"end": T0}, "start"),
        ({"start": "yesterday", "end": T0}, "start"),
        ({"start": -5, "end": T0}, "start"),
    ):
        response = await service.api.get("/video/api/list_video_statistic", id=big, **params)
        assert (response.status, response.json["errcode"]) == (400, 3101), params
        assert response.json["msg"].startswith(field)


async def test_totals_are_sorted_by_bytes_and_paged(service: Service) -> None:
    big, small = await with_traffic(service)
    response = await service.api.get("/video/api/list_video_total_summary", page_size=1)
    assert response.json["count"] == 2
    (row,) = response.json["video_total_summary_list"]
    assert row == {
        "video_id": big,
        "video_name": 'big, "quoted".mp4',
        "video_created_at": row["video_created_at"],
        "total_bytes": 1500,
    }
    assert row["video_created_at"].endswith("+08:00")
    windowed = await service.api.get("/video/api/list_video_total_summary", start=T0 + DAY, end=T0 + 2 * DAY)
    assert [(r["video_id"], r["total_bytes"]) for r in windowed.json["video_total_summary_list"]] == [
        (small, 70),
        (big, 0),
    ]
    only_one_bound = await service.api.get("/video/api/list_video_total_summary", start=T0)
    assert only_one_bound.status == 400 and only_one_bound.json["msg"].startswith("end")


async def test_the_totals_export_is_a_csv_attachment(service: Service) -> None:
    big, small = await with_traffic(service)
    response = await service.api.get("/video/api/export_video_total_summary", search="")
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["video_id", "video_name", "video_created_at", "total_bytes"]
    assert [(r[0], r[1], r[3]) for r in rows[1:]] == [(big, 'big, "quoted".mp4', "1500"), (small, "small.mp4", "70")]


async def test_the_totals_export_validates_before_streaming(service: Service) -> None:
    response = await service.api.get("/video/api/export_video_total_summary", start=T0, end=T0 - 1)
    assert (response.status, response.json["errcode"]) == (400, 3101)


async def test_day_summaries_are_zero_filled_from_start_day_to_end_day(service: Service) -> None:
    await with_traffic(service)
    response = await service.api.get("/video/api/list_user_video_day_summary", start=MIDNIGHT, end=MIDNIGHT + 2 * DAY)
    assert response.json["user_video_day_summary_list"] == [
        {"date": "2026-01-01", "total_bytes": 1500},
        {"date": "2026-01-02", "total_bytes": 70},
        {"date": "2026-01-03", "total_bytes": 0},
    ]
    export = await service.api.get("/video/api/export_user_video_day_summary", start=MIDNIGHT, end=MIDNIGHT + DAY)
    assert export.headers["content-disposition"].startswith("attachment;")
    assert export.text.splitlines() == ["date,total_bytes", "2026-01-01,1500", "2026-01-02,70"]


async def test_day_summaries_need_service_zone_midnights(service: Service) -> None:
    for path in ("/video/api/list_user_video_day_summary", "/video/api/export_user_video_day_summary"):
        response = await service.api.get(path, start=MIDNIGHT + 3600, end=MIDNIGHT + DAY)
        assert (response.status, response.json["errcode"]) == (400, 3101)
        assert response.json["msg"].startswith("start")


async def test_the_user_total_counts_deleted_videos_too(service: Service) -> None:
    big, _ = await with_traffic(service)
    assert (await service.api.post("/video/api/delete", params={"id": big})).status == 200
    response = await service.api.get("/video/api/get_user_video_total_summary")
    assert response.json["user_video_total_summary"] == {"total_bytes": 1570}
    bob = await service.new_user("bob")
    assert (await bob.get("/video/api/get_user_video_total_summary")).json["user_video_total_summary"] == {
        "total_bytes": 0
    }
