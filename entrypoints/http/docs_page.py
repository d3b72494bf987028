"""The interactive API page at ``/docs``, fully served by this service (no CDN).

sanic-ext's own Swagger page loads Swagger UI from a CDN, which shows a
blank page on a machine without internet access. Here the assets come from
the ``swagger-ui-bundle-v2`` package and the page's Content-Security-Policy
forbids every other origin, so the page never reaches outside the service.
"""

from __future__ import annotations

from pathlib import Path

from sanic import Blueprint, HTTPResponse, Request, html
from sanic.response import file, raw
from sanic_ext import openapi
from swagger_ui_bundle import swagger_ui_path

from entrypoints.http.errors import envelope
from vod_core.errors import NotFound

bp = Blueprint("docs_page")

PAGE_PATH = "/docs"
ASSETS_PATH = "/docs/ui"
SPEC_PATH = "/docs/openapi.json"
ASSETS_DIR = Path(str(swagger_ui_path))
ASSETS = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "text/javascript",
    "favicon-32x32.png": "image/png",
}
"""The only files of the bundle that are served (name → media type)."""

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self' data:; base-uri 'none'; form-action 'self'"
)

INIT_JS = f"""\
window.addEventListener("load", function () {{
  window.ui = SwaggerUIBundle({{
    url: "{SPEC_PATH}",
    dom_id: "#swagger-ui",
    deepLinking: true,
    displayOperationId: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  }});
}});
"""

PAGE = f"""\
<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>VOD service API</title>
  <link rel="stylesheet" href="{ASSETS_PATH}/swagger-ui.css">
  <link rel="icon" type="image/png" href="{ASSETS_PATH}/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{ASSETS_PATH}/swagger-ui-bundle.js"></script>
  <script src="{ASSETS_PATH}/init.js"></script>
</body>
</html>
"""

_HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff"}


@bp.get(PAGE_PATH)
@openapi.exclude()
async def docs_page(request: Request) -> HTTPResponse:
    return html(PAGE, headers=_HEADERS)


@bp.get(f"{ASSETS_PATH}/<name:str>")
@openapi.exclude()
async def docs_asset(request: Request, name: str) -> HTTPResponse:
    headers = {**_HEADERS, "Cache-Control": "public, max-age=86400"}
    if name == "init.js":
        return raw(INIT_JS, content_type="text/javascript; charset=utf-8", headers=headers)
    media_type = ASSETS.get(name)
    if media_type is None:
        return envelope(NotFound.code, f"{name} not found", 404)
    return await file(ASSETS_DIR / name, mime_type=media_type, headers=headers)
