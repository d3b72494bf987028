"""The name-folding rule every store searches with (:mod:`vod_core.search`)."""

from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st

from vod_core.search import fold_name, matches_search


@given(st.text())
def test_a_folded_name_has_no_upper_case_ascii_left(text: str) -> None:
    """What lets SQLite's ASCII-case-insensitive ``LIKE`` compare like ``in`` does."""
    assert not set(fold_name(text)) & set(string.ascii_uppercase)


@given(st.text(string.printable), st.data())
def test_any_piece_of_an_ascii_name_finds_it_whatever_its_case(name: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(name)))
    piece = name[start : data.draw(st.integers(start, len(name)))]
    for needle in (piece, piece.upper(), piece.lower(), piece.swapcase()):
        assert matches_search("some-id", name, needle)


def test_the_id_matches_exactly_and_an_empty_search_matches_all() -> None:
    assert matches_search("AbC", "name", "AbC")
    assert not matches_search("AbC", "name", "abc")
    assert matches_search("AbC", "name", "")
