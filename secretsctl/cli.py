"""The `secretsctl` command: one subcommand per module in this package."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from entrypoint.errors import EX_USAGE, EntrypointError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="secretsctl", description="Manage the secrets a service needs."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    check = commands.add_parser(
        "check", help="resolve every key in the manifest and report its status"
    )
    check.add_argument("--manifest", type=Path, default=Path("secrets.example"))
    check.add_argument(
        "--secrets-dir",
        type=Path,
        default=Path(os.environ.get("ENTRYPOINT_SECRETS_DIR", "/run/secrets")),
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    arguments = parser.parse_args(argv)
    try:
        if arguments.command == "check":
            from secretsctl.check import run  # noqa: PLC0415

            return run(arguments.manifest, arguments.secrets_dir)
    except EntrypointError as error:
        sys.stderr.write(f"secretsctl: {error}\n")
        return error.exit_code
    return EX_USAGE
