"""Rendition sizes: even, aspect kept, never upscaled."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vod_core.templates import BUILTIN_TEMPLATES, output_size

sides = st.integers(min_value=2, max_value=8192)


def test_builtin_templates_are_the_contracts() -> None:
    assert {t.id: t.resolution for t in BUILTIN_TEMPLATES.values()} == {
        1: "360P",
        2: "480P",
        3: "720P",
        4: "1080P",
        5: "Origin",
    }


@given(template_id=st.sampled_from(sorted(BUILTIN_TEMPLATES)), width=sides, height=sides)
def test_output_is_even_never_upscaled_and_keeps_the_aspect(template_id: int, width: int, height: int) -> None:
    out_w, out_h = output_size(BUILTIN_TEMPLATES[template_id], width, height)
    assert out_w % 2 == 0 and out_h % 2 == 0
    assert out_w <= max(width, 2) and out_h <= max(height, 2)
    # Aspect ratio within the error of rounding each side to an even number.
    assert abs(out_w / out_h - width / height) <= (width / height) * (2 / out_h + 2 / out_w) + 1e-9


@pytest.mark.parametrize(
    ("template_id", "source", "expected"),
    [
        (4, (640, 360), (640, 360)),  # 1080P of a small source stays small
        (3, (1920, 1080), (1280, 720)),
        (1, (1080, 1920), (360, 640)),  # portrait: the short side is the template's
        (1, (641, 361), (640, 360)),
        (5, (1921, 1081), (1920, 1080)),  # odd sides round down, never up
        (2, (1920, 1080), (854, 480)),
    ],
)
def test_known_sizes(template_id: int, source: tuple[int, int], expected: tuple[int, int]) -> None:
    assert output_size(BUILTIN_TEMPLATES[template_id], *source) == expected


def test_a_source_without_size_is_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        output_size(BUILTIN_TEMPLATES[1], 0, 720)
