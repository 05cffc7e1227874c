"""The benchmark keeps working: one run at the smallest size, every part."""

from __future__ import annotations

import json
from pathlib import Path

from support.commands import run

import docker

ROOT = Path(__file__).resolve().parents[2]


def test_benchmark_runs_at_the_smallest_size(
    tmp_path: Path, docker_client: docker.DockerClient, images: dict[str, str]
) -> None:
    """bench/run completes and reports every command it compares."""
    out = tmp_path / "startup.json"

    done = run(
        [ROOT / "bench" / "run", "--sizes", "1", "--rounds", "1", "--out", out],
        timeout=900,
    )
    report = json.loads(out.read_text()) if out.exists() else {}

    done.expect(0)
    commands = report["process"][0]["commands"]
    assert set(commands) == {
        "entrypoint",
        "shell+gosu",
        "tini+gosu",
        "python -I",
        "python -I -S",
    }
    assert all(row["median_ms"] > 0 for row in commands.values())
    assert report["memory"]["init_rss_kib"] > 0
    assert report["app"][0]["env_file"]["median_ms"] > 0
    assert report["container"]["entrypoint_over_direct"] > 0
