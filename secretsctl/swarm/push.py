"""`secretsctl push`: store development secrets, or one value, as swarm secrets.

Each secret becomes `<file name>_v<N>` (behind `STACK_` with `--stack`),
labelled with its key, version and fingerprint. A value that the latest
version already holds is not stored again.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from entrypoint.manifest import load
from secretsctl.options import DEVELOPMENT_FOLDER as DEFAULT_FOLDER
from secretsctl.options import add_manifest
from secretsctl.swarm import naming
from secretsctl.swarm.engine import connect
from secretsctl.swarm.values import Pushable, entry_for, from_folder, from_stdin
from secretsctl.swarm.versions import create_next

HELP = "create versioned swarm secrets from the development folder or stdin"


def configure(parser: argparse.ArgumentParser) -> None:
    add_manifest(parser)
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--dir",
        type=Path,
        default=DEFAULT_FOLDER,
        help=f"push every secret file in this folder (default: {DEFAULT_FOLDER})",
    )
    source.add_argument(
        "--from-stdin",
        metavar="KEY",
        help="push one value for KEY, read from stdin (never from arguments)",
    )
    add_naming_options(parser)


def add_naming_options(parser: argparse.ArgumentParser) -> None:
    """--stack and --label, shared with `rotate`."""
    parser.add_argument(
        "--stack",
        metavar="NAME",
        help="prefix secret names with NAME_ (counted in Docker's 64 characters)",
    )
    parser.add_argument(
        "--label",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="an extra label for every secret created (repeatable)",
    )


def run(arguments: argparse.Namespace) -> int:
    """Validate every name first, then create what is new."""
    manifest = load(arguments.manifest)
    extra_labels = naming.parse_labels(arguments.label)
    undeclared: list[str] = []
    if arguments.from_stdin:
        items = [from_stdin(entry_for(manifest, arguments.from_stdin))]
    else:
        items, undeclared = from_folder(arguments.dir, manifest)
    for item in items:
        naming.check_name(naming.versioned(_base(item, arguments), 1), item.entry.key)

    engine = connect()
    for item in items:
        version = create_next(
            engine,
            item.entry.key,
            item.text,
            _base(item, arguments),
            extra_labels,
            reuse_unchanged=True,
        )
        verb = "created  " if version.created else "unchanged"
        print(f"{verb} {version.describe(item.entry.key)}")
    for name in undeclared:
        print(f"skipped   {arguments.dir / name}: not declared in the manifest")
    return 0


def _base(item: Pushable, arguments: argparse.Namespace) -> str:
    return naming.base_name(item.entry.file_name, arguments.stack)
