"""Arguments and defaults that several subcommands share."""

from __future__ import annotations

import argparse
from pathlib import Path

DEVELOPMENT_FOLDER = Path("config/secrets/development")
MANIFEST = Path("secrets.example")


def add_manifest(parser: argparse.ArgumentParser) -> None:
    """`--manifest`, the list of keys every subcommand works from."""
    parser.add_argument(
        "--manifest",
        type=Path,
        default=MANIFEST,
        help=f"the manifest (default: ./{MANIFEST})",
    )
