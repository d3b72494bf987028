"""CSV exports never hand a spreadsheet a formula (issue 11 item 11, OWASP CSV injection)."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from entrypoints.http.csv_stream import FORMULA_STARTS, safe_cell
from tests.http.conftest import Service

FORMULAS = [
    '=HYPERLINK("http://evil.example","click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
]  # names refuse \t and \r


@pytest.mark.parametrize("name", FORMULAS)
async def test_a_video_name_that_is_a_formula_is_exported_as_text(service: Service, name: str) -> None:
    await service.ready_video(video_name=name)
    response = await service.api.get("/video/api/export_video_total_summary", search="")
    assert response.status == 200
    (_, row) = list(csv.reader(io.StringIO(response.body.decode())))
    assert row[1] == "'" + name
    assert row[3] == "0"


@given(st.text(max_size=20))
def test_no_text_cell_starts_like_a_formula(text: str) -> None:
    cell = safe_cell(text)
    assert isinstance(cell, str) and not cell.startswith(FORMULA_STARTS)
    assert cell in (text, "'" + text)


def test_numbers_are_kept() -> None:
    assert safe_cell(-5) == -5 and safe_cell(0) == 0
