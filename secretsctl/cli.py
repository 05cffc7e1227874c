"""The `secretsctl` command: one module per subcommand, found by name here.

Each subcommand module exposes `HELP`, `configure(parser)` to declare its
arguments and `run(arguments) -> int`. Modules import heavy libraries (the
docker SDK) inside the functions that need them, so building the parser stays
cheap.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from entrypoint.errors import EntrypointError

SUBCOMMANDS = {
    "check": "secretsctl.check",
    "validate": "secretsctl.validate.command",
    "generate": "secretsctl.generate",
    "push": "secretsctl.swarm.push",
    "rotate": "secretsctl.swarm.rotate",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="secretsctl", description="Manage the secrets a service needs."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, path in SUBCOMMANDS.items():
        module = importlib.import_module(path)
        sub = commands.add_parser(name, help=module.HELP, description=module.HELP)
        module.configure(sub)
        sub.set_defaults(module=module)
    return parser


def main(argv: list[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    try:
        result: int = arguments.module.run(arguments)
    except EntrypointError as error:
        sys.stderr.write(f"secretsctl: {error}\n")
        return error.exit_code
    return result
