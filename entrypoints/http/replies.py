"""The success envelope every JSON endpoint answers with."""

from __future__ import annotations

from typing import Any

from sanic import HTTPResponse, json

from vod_core.errors import OK


def ok(**fields: Any) -> HTTPResponse:
    return json({"errcode": OK, "msg": "OK", **fields})
