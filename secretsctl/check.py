"""`secretsctl check`: the entrypoint's --check, run from a project folder."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from entrypoint.cli import check
from entrypoint.log import configure as configure_logging
from entrypoint.settings import parse
from secretsctl.options import add_manifest

HELP = "resolve every manifest key and report its source and status"


def configure(parser: argparse.ArgumentParser) -> None:
    add_manifest(parser)
    parser.add_argument(
        "--secrets-dir",
        type=Path,
        default=Path(os.environ.get("ENTRYPOINT_SECRETS_DIR", "/run/secrets")),
        help="where secret files are (default: $ENTRYPOINT_SECRETS_DIR or "
        "/run/secrets)",
    )


def run(arguments: argparse.Namespace) -> int:
    """Resolve every key of the manifest and print the status table.

    Who the server would run as is the image's business, not the project's,
    so unlike `entrypoint --check` this does not look at users.
    """
    environ = dict(os.environ)
    settings = parse(
        [
            "--check",
            "--manifest",
            str(arguments.manifest),
            "--secrets-dir",
            str(arguments.secrets_dir),
        ],
        environ,
    )
    log = configure_logging(settings.log_level, settings.log_format)
    return check(settings, environ, log, identity=False)
