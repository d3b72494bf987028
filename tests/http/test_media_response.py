"""Media responses encode their constant headers once: the head must be the one Sanic itself writes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from sanic import HTTPResponse
from sanic.headers import format_http1_response

from entrypoints.http.media_response import ENCODED, MediaResponse

CONSTANT = sorted(ENCODED)
NAMES = st.sampled_from(sorted({name for name, _ in CONSTANT} | {"ETag", "Content-Range", "X-Request-Id", "X-Ünï"}))
VALUES = st.one_of(st.text(max_size=40), st.integers(min_value=0, max_value=2**40))
HEADERS = st.lists(st.one_of(st.sampled_from(CONSTANT), st.tuples(NAMES, VALUES)), max_size=20)


def head(response: HTTPResponse) -> bytes:
    return format_http1_response(response.status, response.processed_headers)


@given(HEADERS, st.sampled_from([200, 204, 206, 304, 416]), st.sampled_from(["video/mp4", "image/jpeg", "x/y"]))
def test_the_head_is_byte_for_byte_sanics_whatever_the_headers(
    headers: list[tuple[str, object]], status: int, content_type: str
) -> None:
    def built(kind: type[HTTPResponse]) -> HTTPResponse:
        response = kind(status=status, content_type=content_type)
        for name, value in headers:
            response.headers.add(name, value)
        return response

    try:
        expected = head(built(HTTPResponse))
    except UnicodeEncodeError:  # a name Sanic cannot encode fails alike
        try:
            head(built(MediaResponse))
        except UnicodeEncodeError:
            return
        raise AssertionError("MediaResponse encoded a header name Sanic refuses") from None
    assert head(built(MediaResponse)) == expected


def test_a_value_with_line_breaks_is_sanitised_even_when_it_resembles_a_constant() -> None:
    response = MediaResponse(status=200, headers={"Accept-Ranges": "bytes\r\nSet-Cookie: x=1"})
    assert b"\r\nSet-Cookie" not in head(response)
    assert b"Accept-Ranges: bytesSet-Cookie: x=1\r\n" in head(response)
