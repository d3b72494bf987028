"""Reading the media URLs the service hands out: path, and the signed query (API.md C1)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from vod_core.services.access import MediaQuery


def signed_query(url: str) -> MediaQuery:
    """The ``expires`` and ``signature`` of a handed-out URL; fails when it is not signed."""
    params = parse_qs(urlsplit(url).query, keep_blank_values=True)
    assert set(params) == {"expires", "signature"}, url
    (expires,), (signature,) = params["expires"], params["signature"]
    assert expires.isdigit() and len(signature) == 64, url
    return MediaQuery(expires, signature)


def storage_id_of(url: str) -> str:
    path = urlsplit(url).path
    assert path.startswith("/files/"), url
    return path[len("/files/") :]
