"""docs/API.md covers what the code has: every route, error code, setting and OpenAPI operation.

The reference is written by hand for people; these tests make it fail the
build as soon as the code grows something it does not mention (or it names
a route that no longer exists).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager
from enum import IntEnum
from pathlib import Path
from typing import Any

import pytest
from sanic import Sanic
from sanic_testing.testing import SanicASGITestClient

from entrypoints import config as config_module
from entrypoints.client import settings as client_settings
from entrypoints.config import Config
from entrypoints.http import Resources, create_app
from entrypoints.http.errors import vod_error_response
from vod_core import errors
from vod_core.play_set import PLAY_SET_TRANSITIONS, PlaySetStatus
from vod_core.video import VIDEO_TRANSITIONS, VideoStatus

API_MD = Path(__file__).resolve().parents[2] / "docs" / "API.md"
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
DOCUMENTED_ROUTE = re.compile(rf"`({'|'.join(METHODS)}) (/[^`\s?]*)(?:\?[^`\s]*)?`")
"""`GET /path` or `GET /path?query` in backquotes, anywhere in the text."""
ERROR_ROW = re.compile(r"^\| (\d{4}) \| `(\w+)` \| ([^|]+) \|", re.M)
SETTING_ROW = re.compile(r"^\| `(VOD_\w+)` \|", re.M)


@pytest.fixture(scope="module")
def reference() -> str:
    return API_MD.read_text(encoding="utf-8")


@asynccontextmanager
async def _no_resources() -> AsyncIterator[Resources]:
    """The routes are only listed and documented here; no handler runs."""
    yield None  # type: ignore[misc]


@pytest.fixture(scope="module")
def started_app() -> Iterator[tuple[Sanic[Any, Any], dict[str, Any]]]:
    """The service's app, started once (sanic-ext adds its routes and builds the document at start)."""
    import asyncio

    was_test_mode, Sanic.test_mode = Sanic.test_mode, True
    app = create_app(_no_resources, name="vod_docs_reference")

    async def fetch() -> dict[str, Any]:
        _, response = await SanicASGITestClient(app).get("/docs/openapi.json")
        assert response.status == 200
        document: dict[str, Any] = response.json
        return document

    yield app, asyncio.run(fetch())
    Sanic.test_mode = was_test_mode


def _sanic_path(route_path: str) -> str:
    """``files/<storage_id:str>`` → ``/files/{storage_id}``."""
    path = re.sub(r"<(\w+)(?::[^>]*)?>", r"{\1}", route_path)
    return path if path.startswith("/") else "/" + path


def registered_routes(app: Sanic[Any, Any]) -> set[tuple[str, str]]:
    return {
        (method, _sanic_path(route.path))
        for route in app.router.routes
        for method in route.methods
        if method in METHODS
    }


def documented_routes(reference: str) -> set[tuple[str, str]]:
    return set(DOCUMENTED_ROUTE.findall(reference))


def test_every_registered_route_is_in_the_reference(
    started_app: tuple[Sanic[Any, Any], dict[str, Any]], reference: str
) -> None:
    app, _ = started_app
    routes = registered_routes(app)
    assert ("POST", "/video/api/create") in routes  # the listing itself works
    missing = routes - documented_routes(reference)
    assert not missing, f"routes missing from docs/API.md: {sorted(missing)}"


def test_the_reference_names_no_route_that_does_not_exist(
    started_app: tuple[Sanic[Any, Any], dict[str, Any]], reference: str
) -> None:
    app, _ = started_app
    stale = documented_routes(reference) - registered_routes(app)
    assert not stale, f"docs/API.md documents routes the app does not have: {sorted(stale)}"


def test_every_openapi_operation_is_in_the_reference(
    started_app: tuple[Sanic[Any, Any], dict[str, Any]], reference: str
) -> None:
    _, document = started_app
    documented = documented_routes(reference)
    operations = [(method, path, op) for path, item in document["paths"].items() for method, op in item.items()]
    assert len(operations) >= 29
    for method, path, operation in operations:
        assert (method.upper(), path) in documented, (method, path)
        assert f"`{operation['operationId']}`" in reference, operation["operationId"]
    for name in document["components"]["schemas"]:
        assert f"`{name}`" in reference, f"schema {name} is not mentioned in docs/API.md"


def _error_classes() -> list[type[errors.VodError]]:
    return [
        value
        for value in vars(errors).values()
        if inspect.isclass(value) and issubclass(value, errors.VodError) and value is not errors.VodError
    ]


def _example(cls: type[errors.VodError]) -> errors.VodError:
    if issubclass(cls, errors.UploadTooLarge):
        return cls(1024)
    if issubclass(cls, errors.InvalidParameter):
        return cls("field")
    return cls()


def test_every_error_code_is_in_the_reference_with_its_http_status(reference: str) -> None:
    rows = {(int(code), name): status.strip() for code, name, status in ERROR_ROW.findall(reference)}
    classes = _error_classes()
    assert len(classes) >= 30
    for cls in classes:
        key = (cls.code, cls.__name__)
        assert key in rows, f"error {cls.__name__} ({cls.code}) is missing from docs/API.md's error table"
        documented_statuses = {int(s) for s in re.findall(r"\d{3}", rows[key])}
        error = _example(cls)
        assert vod_error_response(error).status in documented_statuses, cls.__name__
        if type(error) is errors.AccessDenied:  # its subclasses (TooManyGuesses) are never unauthenticated
            unauthenticated = errors.AccessDenied(unauthenticated=True)
            assert vod_error_response(unauthenticated).status in documented_statuses
    assert (errors.OK, "OK") in rows


class _RecordingEnv(Mapping[str, str]):
    """An empty environment that remembers every variable asked for."""

    def __init__(self) -> None:
        self.asked: set[str] = set()

    def __getitem__(self, key: str) -> str:
        self.asked.add(key)
        raise KeyError(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.asked.add(key)
        return default

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self.asked.add(key)
        return False

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def test_every_setting_is_in_the_reference(reference: str) -> None:
    env = _RecordingEnv()
    Config.from_env(env)
    sources = inspect.getsource(config_module) + inspect.getsource(client_settings)  # the service's and the client's
    named_in_source = set(re.findall(r"\bVOD_[A-Z0-9_]+\b", sources))
    settings = {name for name in env.asked | named_in_source if name.startswith("VOD_")}
    assert "VOD_DATABASE_URL" in settings
    documented = set(SETTING_ROW.findall(reference))
    missing = settings - documented
    assert not missing, f"settings missing from docs/API.md: {sorted(missing)}"


def test_the_reference_links_only_inside_the_repository(reference: str) -> None:
    for target in re.findall(r"\]\(([^)]+)\)", reference):
        assert not target.startswith(("..", "/")), target
        if not target.startswith(("#", "http://", "https://")):
            assert (API_MD.parent / target.split("#")[0]).exists(), target


def _section(reference: str, heading: str) -> str:
    start = reference.index(heading)
    end = reference.find("\n### ", start + len(heading))
    return reference[start : end if end != -1 else None]


def _transitions(section: str) -> dict[int, set[int]]:
    table = section[section.index("| from | to |") :]
    found: dict[int, set[int]] = {}
    for source, targets in re.findall(r"^\| ([^|]+) \| ([^|]+) \|$", table, re.M)[1:]:
        for state in map(int, re.findall(r"\d+", source)):
            found[state] = set(map(int, re.findall(r"\d+", targets)))
    return found


@pytest.mark.parametrize(
    ("heading", "statuses", "transitions"),
    [
        ("### Video `status`", VideoStatus, VIDEO_TRANSITIONS),
        ("### Play set `status`", PlaySetStatus, PLAY_SET_TRANSITIONS),
    ],
)
def test_status_values_and_transitions_match_the_core(
    reference: str, heading: str, statuses: type[IntEnum], transitions: Mapping[IntEnum, frozenset[IntEnum]]
) -> None:
    section = _section(reference, heading)
    values = {int(v): name for v, name in re.findall(r"^\| (\d) \| ([a-z ]+) \|", section, re.M)}
    assert values == {int(s): s.name.lower().replace("_", " ") for s in statuses}
    assert _transitions(section) == {int(s): {int(t) for t in targets} for s, targets in transitions.items()}
