"""App side: pydantic-settings reading N values from a secrets directory
against reading the .env file the entrypoint wrote from the same directory."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import create_model
from pydantic_settings import BaseSettings
from timing import alternate, ratio, spread
from workload import entrypoint_argv, locate


def app_side(work: Path, entrypoint: Path, size: int, rounds: int) -> dict[str, Any]:
    workload = locate(work, size)
    directory = workload.directory
    env_file = work / f"app-{size}" / ".env"
    subprocess.run(
        entrypoint_argv(entrypoint, workload, env_file, "--allow-root"),
        check=True,
        stderr=subprocess.DEVNULL,
    )
    keys = [key.lower() for key in workload.keys]
    model = create_model(  # type: ignore[call-overload]
        f"Settings{size}", __base__=BaseSettings, **dict.fromkeys(keys, (str, ...))
    )
    loaders: dict[str, Callable[[], BaseSettings]] = {
        "secrets_dir": lambda: model(_secrets_dir=str(directory)),
        "env_file": lambda: model(_env_file=str(env_file)),
    }
    for name, load in loaders.items():
        check = load()
        assert getattr(check, keys[0]), f"{name} loaded nothing"
    times = alternate({name: _timed(load) for name, load in loaders.items()}, rounds)
    return {
        "size": size,
        **{name: spread(runs) for name, runs in times.items()},
        "env_file_over_secrets_dir": ratio(times["env_file"], times["secrets_dir"]),
    }


def _timed(load: Callable[[], object]) -> Callable[[], float]:
    def run() -> float:
        start = time.perf_counter()
        load()
        return (time.perf_counter() - start) * 1000

    return run
