"""The OpenAPI document describes every route, and the interactive page is served from the service itself."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tests.http.conftest import Service

ROUTES = {
    ("post", "/video/api/create"),
    ("get", "/video/api/list"),
    ("get", "/video/api/get"),
    ("get", "/video/api/get_shared_video"),
    ("get", "/video/api/search"),
    ("post", "/video/api/update"),
    ("post", "/video/api/set_video_password"),
    ("get", "/video/api/get_video_size_sum"),
    ("post", "/video/api/trans"),
    ("post", "/video/api/delete"),
    ("post", "/video/api/delete_videos"),
    ("get", "/video/api/list_video_statistic"),
    ("get", "/video/api/list_video_total_summary"),
    ("get", "/video/api/export_video_total_summary"),
    ("get", "/video/api/list_user_video_day_summary"),
    ("get", "/video/api/export_user_video_day_summary"),
    ("get", "/video/api/get_user_video_total_summary"),
    ("get", "/video/api/list_trans_templates"),
    ("post", "/video/api/save_trans_config"),
    ("post", "/video/api/delete_trans_config"),
    ("get", "/video/api/get_trans_config"),
    ("post", "/notify/api/set_callback"),
    ("post", "/notify/api/delete_callback"),
    ("get", "/notify/api/list_callbacks"),
    ("get", "/notify/api/list_dead_events"),
    ("post", "/storage/api/upload"),
    ("get", "/storage/api/get"),
    ("get", "/files/{storage_id}"),
    ("get", "/hls/{video_id}/master.m3u8"),
    ("get", "/hls/{video_id}/{play_set_id}/media.m3u8"),
    ("get", "/health"),
}


async def test_every_route_is_documented_with_responses(service: Service) -> None:
    response = await service.api.as_user(None).get("/docs/openapi.json")
    document = response.json
    documented = {(method, path) for path, item in document["paths"].items() for method in item}
    assert documented >= ROUTES
    for method, path in ROUTES:
        operation = document["paths"][path][method]
        assert operation["summary"], (method, path)
        assert {"200", "500"} <= set(operation["responses"]), (method, path)


async def test_private_routes_declare_bearer_auth_and_public_ones_do_not(service: Service) -> None:
    paths = (await service.api.get("/docs/openapi.json")).json["paths"]
    assert paths["/video/api/get"]["get"]["security"] == [{"bearer": []}]
    assert "401" in paths["/video/api/get"]["get"]["responses"]
    for path in ("/video/api/get_shared_video", "/health", "/files/{storage_id}"):
        assert "security" not in paths[path]["get"], path


async def test_query_parameters_are_described(service: Service) -> None:
    paths = (await service.api.get("/docs/openapi.json")).json["paths"]
    params = {p["name"]: p for p in paths["/video/api/list"]["get"]["parameters"]}
    assert params["page_size"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 100}
    assert params["page"]["in"] == "query"


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


async def test_operation_ids_are_unique_and_camel_case(service: Service) -> None:
    paths = (await service.api.get("/docs/openapi.json")).json["paths"]
    ids = [operation["operationId"] for item in paths.values() for operation in item.values()]
    assert len(ids) == len(set(ids)) >= len(ROUTES)
    assert all(re.fullmatch(r"[a-z]+(?:[A-Z][a-z0-9]*)*", i) for i in ids), ids
    assert paths["/video/api/create"]["post"]["operationId"] == "createVideo"
    assert paths["/files/{storage_id}"]["get"]["operationId"] == "downloadFile"


async def test_named_schemas_are_referenced_and_every_reference_resolves(service: Service) -> None:
    document = (await service.api.get("/docs/openapi.json")).json
    schemas = document["components"]["schemas"]
    assert {"Video", "PlaySet", "Error", "StoredFile", "TranscodeTemplate"} <= set(schemas)
    refs = set(_refs(document["paths"])) | set(_refs(schemas))
    assert {f"#/components/schemas/{name}" for name in schemas} == refs
    video = document["paths"]["/video/api/get"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert video["properties"]["video"] == {"$ref": "#/components/schemas/Video"}
    error = document["paths"]["/video/api/get"]["get"]["responses"]["404"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/Error"}


async def test_units_and_servers_are_stated(service: Service) -> None:
    document = (await service.api.get("/docs/openapi.json")).json
    video = document["components"]["schemas"]["Video"]["properties"]
    assert "milliseconds" in video["video_duration"]["description"]
    assert "bytes" in video["file_size"]["description"]
    assert "RFC 3339" in video["created_at"]["description"]
    assert "Unix seconds" in str(document["paths"]["/video/api/list_video_statistic"]["get"]["parameters"])
    assert [server["url"] for server in document["servers"]] == ["/"]  # relative: wherever the document is served


async def test_the_interactive_page_is_served_without_any_other_host(service: Service) -> None:
    response = await service.api.as_user(None).get("/docs")
    assert response.status == 200
    assert "swagger-ui" in response.text
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assets = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assert assets and all(a.startswith("/docs/ui/") for a in assets), assets
    for asset in assets:
        served = await service.api.as_user(None).get(asset)
        assert served.status == 200, asset
        assert len(served.body) > 0
    init = await service.api.get("/docs/ui/init.js")
    assert '"/docs/openapi.json"' in init.text
    assert "http" not in response.text.lower().replace("http-equiv", "") and "http" not in init.text


async def test_only_the_bundle_files_are_served(service: Service) -> None:
    for name in ("index.html", "swagger-ui.js.map", "..%2F__init__.py", "nothing"):
        response = await service.api.get(f"/docs/ui/{name}")
        assert response.status == 404, name
        assert response.json["errcode"] == 3102
