"""``vod worker``'s own ``/metrics`` port, with the same token rule as ``vod serve``."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

from entrypoints.config import Config
from entrypoints.metrics_server import metrics_server
from tests.e2e.conftest import free_port


async def test_no_port_serves_nothing() -> None:
    async with metrics_server(Config()) as port:
        assert port is None


async def test_the_worker_port_serves_metrics_behind_the_token() -> None:
    config = Config(host="127.0.0.1", metrics_port=free_port(), metrics_token="worker-token")
    async with metrics_server(config) as port, httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        assert (await client.get("/metrics")).status_code == 401
        assert (await client.get("/metrics", headers={"Authorization": "Bearer nope"})).status_code == 401
        allowed = await client.get("/metrics", headers={"Authorization": "Bearer worker-token"})
        assert allowed.status_code == 200
        names = {f.name for f in text_string_to_metric_families(allowed.text)}
        assert {"vod_jobs_started", "vod_transcode_duration_seconds"} <= names
