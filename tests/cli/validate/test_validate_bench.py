"""The validate benchmark keeps working: a tiny run, without detect-secrets."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from support import commands

SCRIPT = Path(__file__).resolve().parents[3] / "bench" / "validate_bench.py"


def test_a_tiny_benchmark_finds_every_planted_secret(tmp_path: Path) -> None:
    """Eleven secrets: one in each planting style, archives and UTF-16 included."""
    out = tmp_path / "validate.json"
    argv = [
        sys.executable,
        str(SCRIPT),
        "--files",
        "40",
        "--secrets",
        "11",
        "--no-detect-secrets",
        "--out",
        str(out),
    ]

    completed = commands.run(argv, timeout=300).expect(0)

    document = json.loads(out.read_text(encoding="utf-8"))
    assert len(document["styles"]) == 11
    for run in document["runs"]:
        assert (run["found"], run["false_findings"]) == (11, 0), run
    assert "11/11" in completed.stdout
