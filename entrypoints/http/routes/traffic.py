"""Traffic statistics: per-minute, per-video totals, daily sums, exports (API.md Part A)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import date

from sanic import Blueprint, HTTPResponse, Request

from entrypoints.http.auth import user_id
from entrypoints.http.csv_stream import send_csv
from entrypoints.http.docs import (
    BYTES,
    DAY_TOTAL,
    INT,
    MINUTE_TRAFFIC,
    VIDEO_TOTAL,
    array,
    describe,
    obj,
    ok_envelope,
    query,
)
from entrypoints.http.parsing import query_optional_timestamp, query_page, query_text, query_timestamp
from entrypoints.http.presenters import Presenter
from entrypoints.http.replies import ok
from entrypoints.http.resources import resources
from vod_core.ports.traffic import TotalsQuery
from vod_core.services.traffic import TOTALS_PAGE_SIZE

bp = Blueprint("traffic", url_prefix="/video/api")

TS = {"type": "integer", "minimum": 0}
START = query("start", TS, "Unix seconds", required=True)
END = query("end", TS, "Unix seconds, at most 90 days after start", required=True)
DAY_START = query("start", TS, "a midnight in the service time zone (Unix seconds)", required=True)
DAY_END = query("end", TS, "a midnight in the service time zone, at most 90 days after start", required=True)
SEARCH = query("search", {"type": "string"}, "a video id or part of a name")
OPTIONAL_START = query("start", TS, "Unix seconds (with end)")
OPTIONAL_END = query("end", TS, "Unix seconds (with start)")
CSV = {"text/csv": {"type": "string"}}
TOTALS_HEADER = ("video_id", "video_name", "video_created_at", "total_bytes")
DAYS_HEADER = ("date", "total_bytes")


def _totals_query(request: Request, uid: str) -> TotalsQuery:
    return resources(request).vod.traffic.totals_query(
        uid,
        query_text(request, "search"),
        query_optional_timestamp(request, "start"),
        query_optional_timestamp(request, "end"),
    )


async def _days(request: Request, uid: str) -> list[tuple[date, int]]:
    traffic = resources(request).vod.traffic
    first, last = traffic.day_range(query_timestamp(request, "start"), query_timestamp(request, "end"))
    return await traffic.list_user_video_day_summary(uid, first, last)


@bp.get("/list_video_statistic")
@describe(
    "Bytes per minute of one video in [start, end] (minutes with traffic only)",
    params=[query("id", {"type": "string"}, "video id", required=True), START, END],
    ok=ok_envelope(video_statistic=array(MINUTE_TRAFFIC)),
    tag="traffic",
)
async def list_video_statistic(request: Request) -> HTTPResponse:
    uid = await user_id(request)
    video_id = query_text(request, "id", required=True)
    start, end = query_timestamp(request, "start"), query_timestamp(request, "end")
    minutes = await resources(request).vod.traffic.list_video_statistic(uid, video_id, start, end)
    present = resources(request).presenter
    return ok(video_statistic=[{"time": present.unix_time(minute), "bytes": n} for minute, n in minutes])


@bp.get("/list_video_total_summary")
@describe(
    "Total bytes per video (deleted ones included), largest first",
    params=[
        SEARCH,
        OPTIONAL_START,
        OPTIONAL_END,
        query("page", {"type": "integer", "minimum": 1}, "page number, default 1"),
        query("page_size", {"type": "integer", "minimum": 1, "maximum": 100}, "rows per page, default 20"),
    ],
    ok=ok_envelope(count=INT, video_total_summary_list=array(VIDEO_TOTAL)),
    errors=(400,),
    tag="traffic",
)
async def list_video_total_summary(request: Request) -> HTTPResponse:
    uid = await user_id(request)
    totals_query = _totals_query(request, uid)
    page = query_page(request, TOTALS_PAGE_SIZE)
    found = await resources(request).vod.traffic.list_video_total_summary(totals_query, page)
    present = resources(request).presenter
    return ok(count=found.count, video_total_summary_list=[present.video_total(r) for r in found.rows])


@bp.get("/export_video_total_summary")
@describe(
    "The same totals as a CSV attachment (video_id,video_name,video_created_at,total_bytes), streamed",
    params=[SEARCH, OPTIONAL_START, OPTIONAL_END],
    ok_content=CSV,
    errors=(400,),
    tag="traffic",
)
async def export_video_total_summary(request: Request) -> None:
    uid = await user_id(request)
    totals_query = _totals_query(request, uid)
    traffic, present = resources(request).vod.traffic, resources(request).presenter

    async def rows() -> AsyncIterator[Sequence[object]]:
        async for row in traffic.stream_video_total_summary(totals_query):
            yield (row.video_id, row.video_name, present.time(row.video_created_at), row.total_bytes)

    await send_csv(request, "video_total_summary.csv", TOTALS_HEADER, rows())


@bp.get("/list_user_video_day_summary")
@describe(
    "Bytes per day of all the caller's videos, one row per day (zero-filled)",
    params=[DAY_START, DAY_END],
    ok=ok_envelope(user_video_day_summary_list=array(DAY_TOTAL)),
    errors=(400,),
    tag="traffic",
)
async def list_user_video_day_summary(request: Request) -> HTTPResponse:
    uid = await user_id(request)
    days = await _days(request, uid)
    return ok(user_video_day_summary_list=[Presenter.day_total(day, total) for day, total in days])


@bp.get("/export_user_video_day_summary")
@describe(
    "The daily sums as a CSV attachment (date,total_bytes)",
    params=[DAY_START, DAY_END],
    ok_content=CSV,
    errors=(400,),
    tag="traffic",
)
async def export_user_video_day_summary(request: Request) -> None:
    uid = await user_id(request)
    days = await _days(request, uid)

    async def rows() -> AsyncIterator[Sequence[object]]:
        for day, total in days:
            yield (day.isoformat(), total)

    await send_csv(request, "user_video_day_summary.csv", DAYS_HEADER, rows())


@bp.get("/get_user_video_total_summary")
@describe(
    "All traffic of all the caller's videos, ever",
    ok=ok_envelope(user_video_total_summary=obj({"total_bytes": BYTES})),
    errors=(),
    tag="traffic",
)
async def get_user_video_total_summary(request: Request) -> HTTPResponse:
    uid = await user_id(request)
    total = await resources(request).vod.traffic.get_user_video_total_summary(uid)
    return ok(user_video_total_summary={"total_bytes": total})
