"""The README's embedding example runs and prints what the README says."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_embedding_example_runs_as_documented() -> None:
    text = README.read_text(encoding="utf-8")
    example = re.search(
        r"<!-- embedding-example:start -->\s*```python\n(.*?)```\s*<!-- embedding-example:end -->", text, re.S
    )
    assert example is not None, "the README lost its embedding example"
    printed = re.search(r"It prints:\s*```text\n(.*?)```", text, re.S)
    assert printed is not None
    result = subprocess.run(
        [sys.executable, "-c", example.group(1)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=README.parent,
    )
    assert result.stdout == printed.group(1)
