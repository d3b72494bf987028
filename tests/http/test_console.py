"""The console's sign-in, session cookie and CSRF rule, in-process (the browser tests are in tests/e2e)."""

from __future__ import annotations

import re
from http.cookies import SimpleCookie

import pytest

from entrypoints.config import Config
from entrypoints.http.console.session import COOKIE
from tests.http.conftest import Service

SIGN_IN = "/console/sign_in"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def session_cookie(set_cookie: str) -> SimpleCookie:
    cookie = SimpleCookie()
    cookie.load(set_cookie)
    assert COOKIE in cookie, set_cookie
    return cookie


async def sign_in(service: Service, key: str | None = None, headers: dict[str, str] | None = None) -> tuple[str, str]:
    """Signs in with ``key`` (alice's by default); returns the session cookie's token and the page's CSRF token."""
    response = await service.api.as_user(None).post(
        SIGN_IN, data={"api_key": key or service.api.key}, headers={**FORM, **(headers or {})}
    )
    assert response.status == 303, response.text
    token = session_cookie(response.headers["set-cookie"])[COOKIE].value
    page = await service.api.as_user(None).get("/console", headers={"Cookie": f"{COOKIE}={token}"})
    found = re.search(r'<meta name="csrf-token" content="([^"]+)">', page.text)
    assert found, page.text
    return token, found.group(1)


def cookie(token: str) -> dict[str, str]:
    return {"Cookie": f"{COOKIE}={token}"}


async def test_the_sign_in_form_has_an_api_key_field_and_the_page_csp(service: Service) -> None:
    page = await service.api.as_user(None).get("/console")
    assert page.status == 200
    assert 'name="api_key"' in page.text and '<label for="api_key">' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]


async def test_a_good_key_gets_a_strict_httponly_cookie_that_is_not_the_key(service: Service) -> None:
    response = await service.api.as_user(None).post(SIGN_IN, data={"api_key": service.api.key}, headers=FORM)
    assert (response.status, response.headers["location"]) == (303, "/console")
    morsel = session_cookie(response.headers["set-cookie"])[COOKIE]
    assert morsel["httponly"] and morsel["samesite"] == "Strict" and not morsel["secure"]
    assert morsel["path"] == "/" and morsel["expires"]
    assert service.api.key and service.api.key not in response.headers["set-cookie"]
    page = await service.api.as_user(None).get("/console", headers=cookie(morsel.value))
    assert 'id="videos"' in page.text and service.api.key not in page.text


@pytest.mark.parametrize("service_config", [Config.in_memory(public_base_url="https://vod.example")])
async def test_the_cookie_is_secure_behind_an_https_base_url(service: Service) -> None:
    response = await service.api.as_user(None).post(SIGN_IN, data={"api_key": service.api.key}, headers=FORM)
    assert session_cookie(response.headers["set-cookie"])[COOKIE]["secure"]


@pytest.mark.parametrize("key", ["", "wrong", "x" * 5000])
async def test_a_bad_key_gets_the_form_again_with_the_reason_and_no_cookie(service: Service, key: str) -> None:
    response = await service.api.as_user(None).post(SIGN_IN, data={"api_key": key}, headers=FORM)
    assert response.status == 401
    assert "Sign-in failed" in response.text or "not a valid API key" in response.text
    assert "set-cookie" not in response.headers


@pytest.mark.parametrize(
    "origin", [{"Origin": "http://evil.test"}, {"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"}]
)
async def test_a_sign_in_form_posted_from_another_site_is_refused(service: Service, origin: dict[str, str]) -> None:
    response = await service.api.as_user(None).post(
        SIGN_IN, data={"api_key": service.api.key}, headers={**FORM, **origin}
    )
    assert response.status == 403 and "set-cookie" not in response.headers


async def test_the_session_reads_the_api_and_changes_need_the_csrf_token(service: Service) -> None:
    video_id = await service.ready_video(name="before")
    token, csrf = await sign_in(service)
    anonymous = service.api.as_user(None)
    listed = await anonymous.get("/video/api/list", headers=cookie(token))
    assert listed.status == 200 and [v["id"] for v in listed.json["videos"]] == [video_id]
    for headers in ({}, {"X-CSRF-Token": "wrong"}):
        refused = await anonymous.post(
            "/video/api/update", {"video_name": "after"}, params={"id": video_id}, headers={**cookie(token), **headers}
        )
        assert (refused.status, refused.json["errcode"]) == (403, 3108)
        assert "CSRF" in refused.json["msg"]
    assert (await service.api.get("/video/api/get", id=video_id)).json["video"]["video_name"] == "before"
    renamed = await anonymous.post(
        "/video/api/update",
        {"video_name": "after"},
        params={"id": video_id},
        headers={**cookie(token), "X-CSRF-Token": csrf},
    )
    assert renamed.status == 200, renamed.text
    assert (await service.api.get("/video/api/get", id=video_id)).json["video"]["video_name"] == "after"


async def test_an_authorization_header_wins_over_the_cookie(service: Service) -> None:
    token, _ = await sign_in(service)
    response = await service.api.as_user("wrong-key").get("/video/api/list", headers=cookie(token))
    assert response.status == 401


async def test_sign_out_needs_the_csrf_token_and_ends_the_session(service: Service) -> None:
    token, csrf = await sign_in(service)
    anonymous = service.api.as_user(None)
    refused = await anonymous.post("/console/sign_out", data={"csrf_token": "wrong"}, headers={**FORM, **cookie(token)})
    assert refused.status == 403
    foreign = await anonymous.post(
        "/console/sign_out",
        data={"csrf_token": csrf},
        headers={**FORM, **cookie(token), "Sec-Fetch-Site": "cross-site"},
    )
    assert foreign.status == 403 and "set-cookie" not in foreign.headers
    assert (await anonymous.get("/video/api/list", headers=cookie(token))).status == 200
    out = await anonymous.post("/console/sign_out", data={"csrf_token": csrf}, headers={**FORM, **cookie(token)})
    assert (out.status, out.headers["location"]) == (303, "/console")
    assert 'vod_console=""' in out.headers["set-cookie"] or "Max-Age=0" in out.headers["set-cookie"]
    assert (await anonymous.get("/video/api/list", headers=cookie(token))).status == 401
    page = await anonymous.get("/console", headers=cookie(token))
    assert 'name="api_key"' in page.text


@pytest.mark.parametrize("path", ["/console/upload", "/console/traffic", "/console/settings", "/console/videos/abc"])
async def test_console_pages_send_a_signed_out_visitor_to_the_sign_in_form(service: Service, path: str) -> None:
    response = await service.api.as_user(None).get(path)
    assert (response.status, response.headers["location"]) == (303, "/console")
    token, csrf = await sign_in(service)
    page = await service.api.as_user(None).get(path, headers=cookie(token))
    assert page.status == 200 and f'content="{csrf}"' in page.text


async def test_an_unknown_console_page_is_not_found(service: Service) -> None:
    assert (await service.api.as_user(None).get("/console/nothing-here")).json["errcode"] == 3102
