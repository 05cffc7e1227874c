"""Which files validate reads, and how their bytes are fetched.

Without paths on the command line the files are git's: every tracked file as
it is in the work tree, and every staged file as it is in the index, since
the index is what the next commit will hold. By default the places git is
told to ignore but secrets end up in anyway are searched for known values
too: `logs/`, `backups/` and shell histories. Paths given on the command
line replace git's files; folders are walked.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from secretsctl.validate.errors import ValidateError

IGNORED_FOLDERS = ("logs", "backups")
HISTORIES = (".bash_history", ".zsh_history", ".python_history", ".psql_history")
# Folders no one commits secrets into on purpose, and that are large.
SKIPPED_FOLDERS = frozenset(
    {
        ".git",
        ".venv",
        "venv",
        "node_modules",
        "__pycache__",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".hypothesis",
    }
)
GIT_TIMEOUT_SECONDS = 60
SUBMODULE_MODE = b"160000"
# Staged files other than deletions, relative to the project like ls-files.
STAGED = ("diff", "--cached", "--name-only", "--relative", "-z", "--diff-filter=d")


@dataclass(frozen=True)
class Target:
    """One file to read.

    `label` names it in findings; `disk` is where it is, or None for a staged
    file read from the index. `patterns` and `known_values` say which
    searches apply: logs and histories hold tokens by design, so only the
    project's own values are looked for there.
    """

    label: str
    disk: Path | None
    patterns: bool = True
    known_values: bool = True


@dataclass(frozen=True)
class Selection:
    """What to read: explicit paths, or git's files plus the ignored places."""

    project: Path
    paths: tuple[Path, ...] = ()
    ignored: bool = True
    exclude: frozenset[Path] = frozenset()
    home: Path | None = None


def select(selection: Selection) -> list[Target]:
    """Every target; a staged file comes twice, from the work tree and the index."""
    if selection.paths:
        targets = list(_explicit(selection))
    else:
        targets = git_targets(selection.project)
        if selection.ignored:
            tracked = {target.label for target in targets}
            targets.extend(
                target
                for target in _ignored_places(selection)
                if target.label not in tracked
            )
    return targets


def read(target: Target, project: Path) -> bytes:
    """The bytes of `target`, from the work tree or from the index."""
    if target.disk is None:
        # "./" makes the index path relative to the project, like ls-files.
        return _git(project, "cat-file", "blob", f":./{target.label}")
    try:
        return target.disk.read_bytes()
    except OSError as error:
        raise ValidateError(
            f"{target.label} cannot be read: {error.strerror}",
            hint="make the file readable or leave it out of the paths given",
        ) from None


def git_targets(project: Path) -> list[Target]:
    """Tracked files in the work tree, then staged files from the index."""
    try:
        _git(project, "rev-parse", "--is-inside-work-tree")
    except ValidateError:
        raise ValidateError(
            f"{project} is not inside a git work tree",
            hint="run validate in a git repository, or name the files to check "
            "on the command line",
        ) from None
    blobs = _index_blobs(project)
    staged = set(blobs).intersection(_names(_git(project, *STAGED)))
    targets = [
        Target(name, project / name) for name in blobs if _regular_file(project / name)
    ]
    targets.extend(Target(name, None) for name in blobs if name in staged)
    return targets


def _index_blobs(project: Path) -> list[str]:
    """Index entries that hold file content: no submodules, no merge conflicts.

    `ls-files --stage` prints `mode object stage<TAB>path`; a submodule's mode
    is 160000 and a conflicted path has stages 1 to 3 but no stage 0.
    """
    names = []
    for entry in _git(project, "ls-files", "--stage", "-z").split(b"\0"):
        info, _, name = entry.partition(b"\t")
        fields = info.split()
        if name and fields[0] != SUBMODULE_MODE and fields[-1] == b"0":
            names.append(os.fsdecode(name))
    return names


def _names(output: bytes) -> list[str]:
    return [os.fsdecode(name) for name in output.split(b"\0") if name]


def _git(project: Path, *arguments: str) -> bytes:
    try:
        completed = subprocess.run(
            ["git", "-C", str(project), *arguments],
            capture_output=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ValidateError(
            f"git could not be run in {project}: {error.__class__.__name__}",
            hint="install git, or name the files to check on the command line",
        ) from None
    if completed.returncode != 0:
        detail = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ValidateError(
            f"git {arguments[0]} failed in {project}: "
            f"{detail[-1] if detail else 'no message'}",
            hint="check that git works in this folder (git status), or name "
            "the files to check on the command line",
        )
    return completed.stdout


def _regular_file(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def _ignored_places(selection: Selection) -> Iterator[Target]:
    for name in IGNORED_FOLDERS:
        folder = selection.project / name
        if folder.is_dir():
            for path in walk(folder, selection.exclude):
                yield Target(label(path, selection.project), path, patterns=False)
    for path in _histories(selection):
        yield Target(label(path, selection.project), path, patterns=False)


def _histories(selection: Selection) -> list[Path]:
    folders = [selection.project]
    if selection.home is not None:
        folders.append(selection.home)
    found: list[Path] = []
    for folder in folders:
        for name in HISTORIES:
            path = folder / name
            if _regular_file(path) and path not in found:
                found.append(path)
    return found


def _explicit(selection: Selection) -> Iterator[Target]:
    for given in selection.paths:
        if given.is_dir():
            for inner in walk(given, selection.exclude):
                yield Target(label(inner, selection.project), inner)
        elif given.is_file():
            yield Target(label(given, selection.project), given)
        else:
            raise ValidateError(
                f"{given} does not exist",
                hint="name files or folders that exist",
            )


def walk(folder: Path, exclude: frozenset[Path] = frozenset()) -> Iterator[Path]:
    """Regular files under `folder` in a stable order, symlinks not followed.

    `exclude` holds the files validate learnt the secrets from: finding a
    secret in its own source is no news.
    """
    excluded = {os.path.realpath(path) for path in exclude}
    for root, folders, files in os.walk(folder):
        folders[:] = sorted(name for name in folders if name not in SKIPPED_FOLDERS)
        for name in sorted(files):
            path = Path(root) / name
            if _regular_file(path) and os.path.realpath(path) not in excluded:
                yield path


def label(path: Path, project: Path) -> str:
    """`path` relative to the project where it is inside it, else absolute."""
    try:
        return path.resolve().relative_to(project.resolve()).as_posix()
    except ValueError:
        return str(path)
