"""`secretsctl generate`: write every `@generate` key into the development folder.

It prints names and paths, never values, unless `--show` asks for them.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path

from entrypoint.errors import ConfigError
from entrypoint.manifest import Entry, Manifest, load
from secretsctl.generate import development_env
from secretsctl.generate.files import (
    SecretFileError,
    existing,
    prepare_folder,
    write_secret,
)
from secretsctl.generate.gitignore import Protected, guard
from secretsctl.generate.recipes import (
    DEFAULT_PASSWORD_LENGTH,
    Recipe,
    check_password_length,
    make,
    recipe_for,
)
from secretsctl.options import DEVELOPMENT_FOLDER, add_manifest

HELP = "create development secrets for every @generate key of the manifest"
DEFAULT_FOLDER = DEVELOPMENT_FOLDER


@dataclass(frozen=True)
class Planned:
    """One secret to write: its manifest entry, its recipe and its file."""

    entry: Entry
    recipe: Recipe
    path: Path


def configure(parser: argparse.ArgumentParser) -> None:
    add_manifest(parser)
    parser.add_argument(
        "--dir",
        type=Path,
        default=DEFAULT_FOLDER,
        help=f"the development secrets folder (default: {DEFAULT_FOLDER})",
    )
    existing_files = parser.add_mutually_exclusive_group()
    existing_files.add_argument(
        "--force", action="store_true", help="replace files that already exist"
    )
    existing_files.add_argument(
        "--keep-existing",
        action="store_true",
        help="keep files that already exist; generate only the missing ones",
    )
    parser.add_argument(
        "--gitignore",
        action="store_true",
        help="add a .gitignore rule when git would otherwise track the files",
    )
    parser.add_argument(
        "--env",
        type=Path,
        nargs="?",
        const=Path(".env"),
        metavar="PATH",
        help="also write a development .env (default path: ./.env)",
    )
    parser.add_argument(
        "--password-length",
        type=int,
        default=DEFAULT_PASSWORD_LENGTH,
        metavar="N",
        help=f"length of `password` values (default: {DEFAULT_PASSWORD_LENGTH})",
    )
    parser.add_argument(
        "--show",
        action="store_true",
        help="also print the generated values (they are secrets: mind the screen)",
    )


def run(arguments: argparse.Namespace) -> int:
    """Plan, check every refusal, then write; nothing is written on a refusal."""
    check_password_length(arguments.password_length)
    manifest = load(arguments.manifest)
    plan = _plan(manifest, arguments.dir)
    kept = _refuse_existing(plan, arguments)
    for rule in guard(_protected(plan, arguments.env), add_rules=arguments.gitignore):
        print(f"added {rule} to .gitignore")

    if prepare_folder(arguments.dir):
        print(f"tightened {arguments.dir} to mode 0700")
    values = _write(plan, kept, arguments)
    if arguments.env is not None:
        count = development_env.write(arguments.env, manifest, arguments.dir)
        print(f"wrote {arguments.env} ({count} keys, mode 0600)")
    if arguments.show:
        for key, text in values.items():
            print(f"{key}={text}")
    return 0


def _plan(manifest: Manifest, folder: Path) -> list[Planned]:
    plan = [
        Planned(entry, recipe_for(entry), folder / entry.file_name)
        for entry in manifest.entries.values()
        if entry.generate is not None
    ]
    if not plan:
        raise ConfigError(
            f"manifest {manifest.path} has no key with a @generate recipe",
            hint="annotate a secret key with @generate=RECIPE, e.g. @generate=password",
        )
    return plan


def _refuse_existing(plan: list[Planned], arguments: argparse.Namespace) -> set[Path]:
    """The files to keep; raises when something exists and no flag allows it."""
    env = arguments.env
    if env is not None and not arguments.force and os.path.lexists(env):
        raise SecretFileError(
            f"refusing to overwrite the .env file {env}",
            hint="remove it (it is rebuilt from the folder and the manifest), "
            "or rerun with --force",
        )
    found = existing([item.path for item in plan])
    if arguments.force or not found:
        return set()
    if arguments.keep_existing:
        return set(found)
    raise SecretFileError(
        f"refusing to overwrite {', '.join(str(path) for path in found)}",
        hint="rerun with --force to replace them, or --keep-existing to keep them",
    )


def _protected(plan: list[Planned], env: Path | None) -> list[Protected]:
    items = [Protected(item.path, item.path.parent, directory=True) for item in plan]
    if env is not None:
        items.append(Protected(env, env, directory=False))
    return items


def _write(
    plan: list[Planned], kept: set[Path], arguments: argparse.Namespace
) -> dict[str, str]:
    """Write each planned file not kept; the values, by key, for --show."""
    values: dict[str, str] = {}
    for item in plan:
        if item.path in kept:
            print(f"kept     {item.path}  {item.entry.key}")
            continue
        replaced = arguments.force and os.path.lexists(item.path)
        text = make(item.recipe, arguments.password_length)
        write_secret(item.path, text, replace=replaced)
        verb = "replaced" if replaced else "created "
        print(f"{verb} {item.path}  {item.entry.key} ({item.recipe})")
        values[item.entry.key] = text
    return values
