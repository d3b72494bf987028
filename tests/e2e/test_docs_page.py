"""``/docs`` renders in a real browser with no request leaving the machine.

Debian's ``chromium`` (``/usr/bin/chromium``, installed by ``.ci/run``) is
driven by Playwright; Playwright's own browser download is never used. Every
request the page makes is intercepted: one to any host but the service's
loopback address is aborted and recorded, and fails the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import Server
from tests.support.browser import headless_chromium

pytestmark = pytest.mark.slow

LOCAL_HOSTS = {"127.0.0.1", "localhost"}
OPERATIONS = ("createVideo", "listVideos", "getSharedVideo", "uploadFile", "downloadFile", "getHealth")
PATHS = ("/video/api/create", "/video/api/list", "/storage/api/upload", "/files/{storage_id}", "/health")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    yield from headless_chromium()


def test_the_docs_page_lists_the_operations_without_leaving_the_machine(server: Server, browser: object) -> None:
    from playwright.sync_api import Browser, Route

    assert isinstance(browser, Browser)
    requested: list[str] = []
    escaped: list[str] = []

    def only_local(route: Route) -> None:
        url = route.request.url
        requested.append(url)
        if urlsplit(url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            escaped.append(url)
            route.abort()

    context = browser.new_context()
    try:
        context.route("**/*", only_local)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{server.base_url}/docs", wait_until="load")
        page.wait_for_selector(".opblock", timeout=30_000)
        text = page.inner_text("#swagger-ui")
        assert page.locator(".opblock").count() >= 29
    finally:
        context.close()

    for operation_id in OPERATIONS:
        assert operation_id in text, operation_id
    for documented_path in PATHS:
        assert documented_path in text, documented_path
    assert escaped == [], f"requests left the machine: {escaped}"
    assert f"{server.base_url}/docs/openapi.json" in requested
    assert any(url.endswith("/docs/ui/swagger-ui-bundle.js") for url in requested)
    assert errors == []
