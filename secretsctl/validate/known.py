"""The project's real secret values: where validate learns what to look for.

A random password on a line of its own matches no pattern, but the project
knows its own secrets: the development folder, a `.env` and any secrets
directory hold them. A key the manifest declares is a secret when it is
marked `@secret`; any other file in a secrets directory is a secret, and any
other key of a `.env` when its name says so (PASSWORD, TOKEN, ..._KEY).
Values shorter than eight characters are ignored: they would match by
chance, everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

from entrypoint.manifest import Manifest
from entrypoint.sources import key_for_file_name, scan_directory
from secretsctl.validate.errors import ValidateError

MIN_VALUE_LENGTH = 8

SECRET_NAME = re.compile(r"PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|PRIVATE_KEY|_KEY$")


@dataclass(frozen=True)
class KnownValue:
    """A secret value, the key it belongs to and the file it was read from."""

    key: str
    value: str = field(repr=False)
    origin: str


@dataclass
class KnownValues:
    """The values gathered, and what could not be read (for warnings)."""

    values: list[KnownValue] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def add(self, candidate: KnownValue, placeholders: frozenset[str]) -> None:
        """Keep `candidate` unless it is short, a placeholder or already known."""
        if len(candidate.value) < MIN_VALUE_LENGTH:
            return
        if candidate.value in placeholders:
            return
        if any(known.value == candidate.value for known in self.values):
            return
        self.values.append(candidate)


def gather(
    secrets_dirs: list[Path], env_files: list[Path], manifest: Manifest | None
) -> KnownValues:
    """Read every secrets directory and `.env` given; all must exist."""
    known = KnownValues()
    placeholders = _placeholders(manifest)
    for directory in secrets_dirs:
        _from_directory(directory, manifest, placeholders, known)
    for path in env_files:
        _from_env_file(path, manifest, placeholders, known)
    return known


def _placeholders(manifest: Manifest | None) -> frozenset[str]:
    """Defaults written in the manifest are examples, not secrets."""
    if manifest is None:
        return frozenset()
    return frozenset(entry.default_text for entry in manifest.entries.values())


def _from_directory(
    directory: Path,
    manifest: Manifest | None,
    placeholders: frozenset[str],
    known: KnownValues,
) -> None:
    if not directory.is_dir():
        raise ValidateError(
            f"secrets directory {directory} does not exist or is not a directory",
            hint="point --secrets-dir at a folder of secret files",
        )
    # Every file is read, declared or not; names are mapped below so that
    # `@file=NAME` declarations still give the manifest's key.
    scan = scan_directory(directory, None)
    known.problems.extend(scan.problems)
    for found in scan.found.values():
        path = Path(found.origin)
        key = _key_for_file(path.name, manifest)
        if not _declared_public(key, manifest):
            known.add(KnownValue(key, found.text, str(path)), placeholders)


def _declared_public(key: str, manifest: Manifest | None) -> bool:
    """The manifest declares `key` without `@secret`: a setting, not a secret."""
    entry = manifest.entries.get(key) if manifest is not None else None
    return entry is not None and not entry.secret


def _key_for_file(name: str, manifest: Manifest | None) -> str:
    if manifest is not None and name in manifest.by_file_name:
        return manifest.by_file_name[name]
    return key_for_file_name(name)


def _from_env_file(
    path: Path,
    manifest: Manifest | None,
    placeholders: frozenset[str],
    known: KnownValues,
) -> None:
    if not path.is_file():
        raise ValidateError(
            f"env file {path} does not exist or is not a file",
            hint="point --env-file at a dotenv file such as .env",
        )
    try:
        values = dotenv_values(path, interpolate=False)
    except (OSError, UnicodeDecodeError) as error:
        raise ValidateError(
            f"env file {path} cannot be read: {error.__class__.__name__}",
            hint="the file must be readable UTF-8 text",
        ) from None

    for key, value in values.items():
        if value is not None and is_secret_key(key, manifest):
            known.add(KnownValue(key, value, str(path)), placeholders)


def is_secret_key(key: str, manifest: Manifest | None) -> bool:
    """The manifest decides for keys it declares; names decide for the rest."""
    if manifest is not None and key in manifest.entries:
        return manifest.entries[key].secret
    return SECRET_NAME.search(key.upper()) is not None
