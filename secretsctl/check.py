"""`secretsctl check`: the entrypoint's --check, run from a project folder."""

from __future__ import annotations

import os
from pathlib import Path

from entrypoint.cli import check
from entrypoint.log import configure
from entrypoint.settings import parse


def run(manifest: Path, secrets_dir: Path) -> int:
    """Resolve every key of `manifest` and print the status table."""
    environ = dict(os.environ)
    settings = parse(
        ["--check", "--manifest", str(manifest), "--secrets-dir", str(secrets_dir)],
        environ,
    )
    log = configure(settings.log_level, settings.log_format)
    return check(settings, environ, log)
