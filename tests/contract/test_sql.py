"""Raw SQL: ``?`` placeholders become the driver's, and only placeholders do."""

from __future__ import annotations

import pytest

from adapters.tortoise import TortoiseDatabase
from adapters.tortoise.sql import escape_like, fetch, native


def test_postgres_placeholders_are_numbered_in_order() -> None:
    assert native("SELECT a FROM t WHERE b = ? AND c IN (?, ?)", "postgres") == (
        "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)"
    )


@pytest.mark.parametrize(
    "literal",
    [
        "'what?'",
        "'it''s ?'",
        "E'it\\'s ?'",
        '"odd?column"',
        "$$ ? $$",
        "$body$ ? $body$",
        "-- a comment?\n",
        "/* ? */",
    ],
)
def test_a_question_mark_in_a_literal_identifier_or_comment_is_left_alone(literal: str) -> None:
    assert native(f"SELECT {literal} WHERE a = ? AND b = ?", "postgres") == f"SELECT {literal} WHERE a = $1 AND b = $2"


def test_a_doubled_question_mark_is_postgres_own_operator() -> None:
    assert native("SELECT d ?? 'key', d ??| ? FROM t WHERE id = ?", "postgres") == (
        "SELECT d ? 'key', d ?| $1 FROM t WHERE id = $2"
    )


def test_sqlite_takes_the_source_as_it_is() -> None:
    sql = "SELECT '?' WHERE a = ?"
    assert native(sql, "sqlite") is sql


async def test_a_literal_question_mark_reaches_the_database_intact(tortoise_db: TortoiseDatabase) -> None:
    rows = await fetch(tortoise_db.client, "SELECT 'why?' AS text, ? AS value, 'a''?' AS quoted", ["given"])
    assert (rows[0]["text"], rows[0]["value"], rows[0]["quoted"]) == ("why?", "given", "a'?")


async def test_like_patterns_match_wildcards_literally(tortoise_db: TortoiseDatabase) -> None:
    sql = "SELECT ? LIKE ? ESCAPE '\\' AS hit"
    cases = [("100%", "100%", True), ("1000", "100%", False), ("a_b", "a_", True), ("ab", "a_", False)]
    cases += [("a\\b", "a\\b", True), ("ab", "a\\b", False)]
    for text, needle, hit in cases:
        rows = await fetch(tortoise_db.client, sql, [text, f"%{escape_like(needle)}%"])
        assert bool(rows[0]["hit"]) is hit, (text, needle)
