"""The secrets every benchmark part works on, and the entrypoint run over them."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import NamedTuple


class Workload(NamedTuple):
    """N secret files of random values and the manifest declaring them."""

    directory: Path
    manifest: Path
    keys: list[str]


def plant(work: Path, size: int) -> Workload:
    """Write the secret files and the manifest for `size` keys under `work`."""
    workload = locate(work, size)
    workload.directory.mkdir()
    lines = []
    for key in workload.keys:
        path = workload.directory / key.lower()
        path.write_text(secrets.token_urlsafe(32) + "\n")
        lines += ["# @required @secret", f"{key}="]
    workload.manifest.write_text("\n".join(lines) + "\n")
    return workload


def locate(work: Path, size: int) -> Workload:
    """Where `plant` puts the workload of `size` keys."""
    keys = [f"SECRET_{index:04d}" for index in range(size)]
    return Workload(work / f"secrets-{size}", work / f"manifest-{size}", keys)


def entrypoint_argv(
    entrypoint: Path, workload: Workload, env_file: Path, *identity: str
) -> list[str]:
    """The entrypoint over `workload`, ending by exec'ing /bin/true."""
    return [
        str(entrypoint),
        "--secrets-dir",
        str(workload.directory),
        "--manifest",
        str(workload.manifest),
        "--env-file",
        str(env_file),
        *identity,
        "--",
        "/bin/true",
    ]
