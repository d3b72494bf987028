"""``GET /metrics``: Prometheus text that parses, counters that move, and the token rule."""

from __future__ import annotations

from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from adapters.metrics import MeteredWebhookSender
from entrypoints.config import Config
from tests.media.factory import Clip, make_clip
from tests.ops.conftest import BASE_URL, Service, running_service
from vod_core.ports.webhooks import WebhookFailed

pytestmark = pytest.mark.slow


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def total(found: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    """Sum of the samples called ``name`` whose labels include ``labels``."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in found.items() if n == name and wanted <= ls)


async def scrape(service: Service) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    _, response = await service.client.get("/metrics")
    assert response.status == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return samples(response.text)


async def test_counters_move_after_requests_and_a_transcode(service: Service, tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    make_clip(str(clip), Clip(width=320, height=180, seconds=1.0))
    before = await scrape(service)

    _, uploaded = await service.client.post(
        "/storage/api/upload", params={"filename": "clip.mp4"}, content=clip.read_bytes(), headers=service.auth
    )
    assert uploaded.status == 200, uploaded.text
    _, created = await service.client.post(
        "/video/api/create", json={"storage_id": uploaded.json["storage_id"]}, headers=service.auth
    )
    video_id = created.json["id"]
    await service.jobs.wait_idle()
    _, trans = await service.client.post(
        "/video/api/trans", params={"id": video_id}, json={"task_config_temp_id": 1}, headers=service.auth
    )
    assert trans.status == 200, trans.text
    await service.jobs.wait_idle()
    _, got = await service.client.get("/video/api/get", params={"id": video_id}, headers=service.auth)
    (play_set,) = got.json["video"]["play_set"]
    assert play_set["status"] == 1, play_set
    _, download = await service.client.get(play_set["url"].removeprefix(BASE_URL))
    assert download.status == 200
    await service.traffic.wait_idle()
    _, missing = await service.client.get("/no/such/route")
    assert missing.status == 404

    after = await scrape(service)

    def moved(name: str, **labels: str) -> float:
        return total(after, name, **labels) - total(before, name, **labels)

    assert moved("vod_http_requests_total", method="POST", status="200") == 3
    assert moved("vod_http_requests_total", route="unmatched", status="404") == 1
    upload_routes = {dict(ls)["route"] for (n, ls) in after if n == "vod_http_requests_total"}
    assert any("upload" in route for route in upload_routes), upload_routes
    assert moved("vod_http_request_duration_seconds_count") >= 6
    assert moved("vod_jobs_enqueued_total", kind="process_video") == 1
    assert moved("vod_jobs_enqueued_total", kind="transcode") == 1
    assert moved("vod_jobs_started_total", kind="transcode") == 1
    assert total(after, "vod_jobs_running", kind="transcode") == 0
    assert moved("vod_transcode_duration_seconds_count", outcome="done") == 1
    assert moved("vod_transcode_duration_seconds_sum", outcome="done") > 0
    assert moved("vod_transcode_output_bytes_total") == play_set["file_size"] > 0
    assert moved("vod_traffic_records_ingested_total") >= 1


async def test_a_token_guards_metrics(tmp_path: Path) -> None:
    async with running_service(tmp_path, Config(metrics_token="s3cret-token")) as service:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic s3cret-token"}):
            _, refused = await service.client.get("/metrics", headers=headers)
            assert refused.status == 401, headers
            assert refused.json["errcode"] == 3108
            assert "vod_" not in refused.text
        _, allowed = await service.client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
        assert allowed.status == 200
        assert samples(allowed.text)


class Answers:
    """A webhook sender answering from a list: a status, or None for no answer."""

    def __init__(self, *answers: int | None) -> None:
        self.answers = list(answers)

    async def post(self, url: str, body: bytes, headers: object) -> int:
        answer = self.answers.pop(0)
        if answer is None:
            raise WebhookFailed("timeout")
        return answer


async def test_webhook_deliveries_are_counted_by_outcome(service: Service) -> None:
    before = await scrape(service)
    sender = MeteredWebhookSender(Answers(200, 204, 503, None))
    for _ in range(3):
        await sender.post("https://hooks.example/x", b"{}", {})
    with pytest.raises(WebhookFailed):
        await sender.post("https://hooks.example/x", b"{}", {})
    after = await scrape(service)
    outcomes = {o: total(after, "vod_webhook_deliveries_total", outcome=o) for o in ("2xx", "5xx", "no_answer")}
    assert outcomes == {
        o: total(before, "vod_webhook_deliveries_total", outcome=o) + n
        for o, n in (("2xx", 2), ("5xx", 1), ("no_answer", 1))
    }
