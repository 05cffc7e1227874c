"""App side: pydantic-settings reading N values from a secrets directory
against reading the .env file the entrypoint wrote from the same directory."""

from __future__ import annotations

import statistics
import subprocess
import time
from pathlib import Path
from typing import Any

from pydantic import create_model
from pydantic_settings import BaseSettings


def app_side(work: Path, entrypoint: Path, size: int, rounds: int) -> dict[str, Any]:
    directory = work / f"secrets-{size}"
    manifest = work / f"manifest-{size}"
    env_file = work / f"app-{size}" / ".env"
    subprocess.run(
        [
            str(entrypoint),
            "--secrets-dir",
            str(directory),
            "--manifest",
            str(manifest),
            "--env-file",
            str(env_file),
            "--allow-root",
            "--",
            "/bin/true",
        ],
        check=True,
        stderr=subprocess.DEVNULL,
    )
    keys = [path.name for path in sorted(directory.iterdir())]
    model = create_model(  # type: ignore[call-overload]
        f"Settings{size}", __base__=BaseSettings, **dict.fromkeys(keys, (str, ...))
    )
    loaders = {
        "secrets_dir": lambda: model(_secrets_dir=str(directory)),
        "env_file": lambda: model(_env_file=str(env_file)),
    }
    times: dict[str, list[float]] = {name: [] for name in loaders}
    for name, load in loaders.items():
        check = load()
        assert getattr(check, keys[0]), f"{name} loaded nothing"
    for round_number in range(rounds):
        order = list(loaders) if round_number % 2 == 0 else list(loaders)[::-1]
        for name in order:
            start = time.perf_counter()
            loaders[name]()
            times[name].append((time.perf_counter() - start) * 1000)
    ratios = [
        env / directory_time
        for env, directory_time in zip(
            times["env_file"], times["secrets_dir"], strict=True
        )
    ]
    return {
        "size": size,
        **{
            name: {
                "median_ms": round(statistics.median(runs), 2),
                "min_ms": round(min(runs), 2),
                "max_ms": round(max(runs), 2),
            }
            for name, runs in times.items()
        },
        "env_file_over_secrets_dir": round(statistics.median(ratios), 3),
    }
