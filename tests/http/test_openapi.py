"""The OpenAPI document describes every route, and the interactive page is served."""

from __future__ import annotations

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
    ("post", "/storage/api/upload"),
    ("get", "/storage/api/get"),
    ("get", "/files/{storage_id}"),
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


async def test_the_interactive_page_is_served(service: Service) -> None:
    response = await service.api.get("/docs")
    assert response.status == 200
    assert "swagger" in response.text.lower()
