"""Every Prometheus metric of the service, and the small hooks the adapters report through.

The core never imports this: what it does is seen where the adapters call
it (job runners, the transcoder, the webhook sender, the traffic feeds)
and in the HTTP layer. Metrics live in the process's default registry;
``vod serve`` exposes them on ``GET /metrics`` and ``vod worker`` on its own
port (``VOD_METRICS_PORT``). Jobs are counted where they are enqueued and
where they run, which may be different processes: Prometheus sums them.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Gauge, Histogram, generate_latest

from vod_core.ports.jobs import Job
from vod_core.ports.webhooks import WebhookFailed, WebhookSender

CONTENT_TYPE = CONTENT_TYPE_LATEST

HTTP_REQUESTS = Counter("vod_http_requests", "HTTP requests answered", ["route", "method", "status"])
HTTP_SECONDS = Histogram(
    "vod_http_request_duration_seconds", "Time from the request head to the response head", ["route", "method"]
)
JOBS_ENQUEUED = Counter("vod_jobs_enqueued", "Jobs handed to the queue", ["kind"])
JOBS_STARTED = Counter("vod_jobs_started", "Jobs taken from the queue and started", ["kind"])
JOBS_RUNNING = Gauge("vod_jobs_running", "Jobs running now", ["kind"])
JOBS_FAILED = Counter("vod_jobs_failed", "Job runs that raised (the queue retries them)", ["kind"])
TRANSCODE_SECONDS = Histogram(
    "vod_transcode_duration_seconds",
    "Wall time of one transcode (all renditions of one decode)",
    ["outcome"],
    buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, float("inf")),
)
TRANSCODE_OUTPUT_BYTES = Counter("vod_transcode_output_bytes", "Bytes of renditions produced")
WEBHOOK_DELIVERIES = Counter("vod_webhook_deliveries", "Webhook POSTs by outcome", ["outcome"])
TRAFFIC_INGESTED = Counter("vod_traffic_records_ingested", "Traffic records written to the per-minute buckets")
TRAFFIC_DROPPED = Counter("vod_traffic_records_dropped", "Traffic records dropped", ["reason"])


def exposition() -> bytes:
    """The text format of every metric of this process."""
    return generate_latest(REGISTRY)


_REQUEST_SERIES: dict[tuple[str, str, int], tuple[Any, Any]] = {}
"""The labelled children of the request metrics, by (route, method, status): ``labels()`` validates and
locks on every call, which the request path (one call per request) need not pay. Bounded: routes are the
app's route patterns (or one label for unmatched requests), methods a fixed set, statuses HTTP's."""


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    key = (route, method, status)
    series = _REQUEST_SERIES.get(key)
    if series is None:
        series = _REQUEST_SERIES[key] = (
            HTTP_REQUESTS.labels(route, method, str(status)),
            HTTP_SECONDS.labels(route, method),
        )
    series[0].inc()
    series[1].observe(seconds)


def jobs_enqueued(jobs: list[Job]) -> None:
    for job in jobs:
        JOBS_ENQUEUED.labels(job.kind.value).inc()


@contextmanager
def job_running(job: Job) -> Iterator[None]:
    """Around one run of ``job``: counts it started, running, and failed when it raises."""
    kind = job.kind.value
    JOBS_STARTED.labels(kind).inc()
    JOBS_RUNNING.labels(kind).inc()
    try:
        yield
    except Exception:
        JOBS_FAILED.labels(kind).inc()
        raise
    finally:
        JOBS_RUNNING.labels(kind).dec()


@contextmanager
def transcode_timer() -> Iterator[list[int]]:
    """Times a transcode; append the output sizes to the yielded list once it succeeded."""
    sizes: list[int] = []
    started = time.monotonic()
    outcome = "failed"
    try:
        yield sizes
        outcome = "done"
    finally:
        TRANSCODE_SECONDS.labels(outcome).observe(time.monotonic() - started)
        TRANSCODE_OUTPUT_BYTES.inc(sum(sizes))


def traffic_ingested(count: int) -> None:
    TRAFFIC_INGESTED.inc(count)


def traffic_dropped(count: int, reason: str) -> None:
    """``reason``: a short fixed word (``queue_full``, ``write_failed``, ``invalid``), never data."""
    if count:
        TRAFFIC_DROPPED.labels(reason).inc(count)


class MeteredWebhookSender(WebhookSender):
    """Counts the outcome of every POST of ``inner``: ``2xx`` .. ``5xx`` or ``no_answer``."""

    def __init__(self, inner: WebhookSender) -> None:
        self._inner = inner

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        try:
            status = await self._inner.post(url, body, headers)
        except WebhookFailed:
            WEBHOOK_DELIVERIES.labels("no_answer").inc()
            raise
        WEBHOOK_DELIVERIES.labels(f"{status // 100}xx").inc()
        return status
