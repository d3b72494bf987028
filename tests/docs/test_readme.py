"""The README stays a short, working entry point: its links resolve inside the repository,
and its test command is the one CI runs."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_links_resolve_inside_the_repository() -> None:
    targets = re.findall(r"\]\(([^)]+)\)", README)
    assert {"docs/API.md", "docs/BENCHMARKS.md", "docs/INTEGRATION.md"} <= set(targets)
    for target in targets:
        if target.startswith(("http://", "https://", "#")):
            continue
        assert not target.startswith(("..", "/")), target
        assert (ROOT / target.split("#")[0]).exists(), target


def test_the_test_command_is_the_one_ci_runs() -> None:
    ci_command = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert f"```sh\n{ci_command}\n```" in README


def test_the_benchmark_narrative_lives_in_docs() -> None:
    assert "## Benchmarks" not in README
    benchmarks = (ROOT / "docs" / "BENCHMARKS.md").read_text(encoding="utf-8")
    for script in ("transcode", "http", "queue", "db", "traffic", "storage"):
        assert f"`bench/{script}.py`" in benchmarks, script
