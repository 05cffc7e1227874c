"""File modes: a secret readable by the group or by everyone is a leak waiting.

`.env` files and secret files must be 0600, secrets folders 0700: nothing for
the group or others. Stricter modes (0400, 0500) pass. `--fix` applies the
expected mode. Symlinks are neither followed nor changed: their mode means
nothing, and what they point at may not be the project's.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from secretsctl.validate.errors import ValidateError
from secretsctl.validate.files import label
from secretsctl.validate.findings import PERMISSIONS, Finding, finding

ENV_FILE_MODE = 0o600
SECRETS_DIR_MODE = 0o700
SECRET_FILE_MODE = 0o600
OTHERS_BITS = 0o077


@dataclass(frozen=True)
class Expected:
    """A path, the mode it should have, and the rule that says so."""

    path: Path
    mode: int
    rule: str


@dataclass
class PermissionResult:
    """What is wrong, and what `--fix` changed (described, never the content)."""

    findings: list[Finding] = field(default_factory=list)
    fixed: list[str] = field(default_factory=list)


def expectations(env_files: list[Path], secrets_dirs: list[Path]) -> list[Expected]:
    """Every existing `.env`, secrets folder and secret file, with its mode."""
    expected = [
        Expected(path, ENV_FILE_MODE, "env-file-mode")
        for path in env_files
        if _is_real(path)
    ]
    for directory in secrets_dirs:
        if not (_is_real(directory) and directory.is_dir()):
            continue
        expected.append(Expected(directory, SECRETS_DIR_MODE, "secrets-dir-mode"))
        for entry in sorted(directory.iterdir()):
            if not entry.name.startswith(".") and _is_real(entry) and entry.is_file():
                expected.append(Expected(entry, SECRET_FILE_MODE, "secret-file-mode"))
    return expected


def check(expected: list[Expected], project: Path, fix: bool) -> PermissionResult:
    """Compare each mode with the expected one; with `fix`, apply it."""
    result = PermissionResult()
    for item in expected:
        mode = stat.S_IMODE(item.path.lstat().st_mode)
        if not mode & OTHERS_BITS:
            continue
        name = label(item.path, project)
        if fix:
            _chmod(item.path, item.mode, name)
            result.fixed.append(f"{name}: {mode:04o} -> {item.mode:04o}")
            continue
        result.findings.append(
            finding(
                PERMISSIONS,
                item.rule,
                (name, 0),
                matched=f"{mode:04o}".encode(),
                message=f"{name} has mode {mode:04o}; expected {item.mode:04o} "
                "(no access for the group or others)",
            )
        )
    return result


def _chmod(path: Path, mode: int, name: str) -> None:
    try:
        os.chmod(path, mode)
    except OSError as error:
        raise ValidateError(
            f"cannot change the mode of {name}: {error.strerror}",
            hint=f"run as the file's owner, or chmod {mode:o} it yourself",
        ) from None


def _is_real(path: Path) -> bool:
    return path.exists() and not path.is_symlink()
