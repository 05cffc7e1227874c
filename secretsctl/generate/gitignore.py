"""Refuse to write secrets where git would pick them up.

A path inside a git work tree must be ignored (`git check-ignore` says so)
before a secret is written there; `--gitignore` appends the rule that makes it
so. Outside a work tree, or where git is not installed, nothing can commit
the file by accident and nothing is checked. Only paths are ever passed to
git, never a value.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from secretsctl.generate.files import SecretFileError

_NOT_A_REPOSITORY = "not a git repository"
_COMMENT = "# Development secrets written by secretsctl generate\n"


@dataclass(frozen=True)
class Protected:
    """A path that must be ignored, and what a rule should cover to ignore it.

    For the secrets folder the probe is a file inside it (git cannot tell that
    a folder which does not exist yet is a folder) and the rule covers the
    folder; for the .env file both are the file.
    """

    probe: Path
    covered: Path
    directory: bool


@dataclass(frozen=True)
class WorkTree:
    """The top of a git work tree."""

    root: Path

    def relative(self, path: Path) -> str | None:
        """`path` relative to the root, or None when it lies outside."""
        relative = os.path.relpath(path.resolve(), self.root)
        if relative == ".." or relative.startswith("../"):
            return None
        return relative

    def rule(self, item: Protected) -> str:
        """An anchored .gitignore rule for what `item` covers."""
        relative = self.relative(item.covered) or item.covered.name
        return f"/{relative}/" if item.directory else f"/{relative}"

    def ignores(self, path: Path) -> bool:
        """Whether git would leave `path` out of a commit."""
        relative = self.relative(path)
        if relative is None:
            return True
        completed = _git(self.root, "check-ignore", "-q", "--", relative)
        if completed.returncode in (0, 1):
            return completed.returncode == 0
        raise SecretFileError(
            f"git check-ignore failed for {path}: {_first_line(completed.stderr)}",
            hint="fix the git repository, or write elsewhere with --dir",
        )


def guard(items: Sequence[Protected], *, add_rules: bool) -> list[str]:
    """Check every item; with `add_rules`, fix the .gitignore. Returns rules added."""
    added: list[str] = []
    for item in items:
        tree = work_tree_of(item.probe)
        if tree is None or tree.ignores(item.probe):
            continue
        rule = tree.rule(item)
        if not add_rules:
            raise SecretFileError(
                f"{item.covered} is inside the git work tree {tree.root} and not "
                "ignored, so its secrets could be committed",
                hint=f"add {rule} to {tree.root / '.gitignore'}, or rerun with "
                "--gitignore to add it",
            )
        _append(tree.root / ".gitignore", rule)
        added.append(rule)
        if not tree.ignores(item.probe):
            raise SecretFileError(
                f"{item.probe} is still not ignored after adding {rule}: git "
                "already tracks it, or a later rule re-includes it",
                hint=f"untrack it with git rm --cached "
                f"{tree.relative(item.probe)}, check the .gitignore, then rerun",
            )
    return added


def work_tree_of(path: Path) -> WorkTree | None:
    """The work tree holding `path` (which may not exist yet), if any."""
    anchor = path.absolute()
    while not anchor.is_dir():
        anchor = anchor.parent
    try:
        completed = _git(anchor, "rev-parse", "--show-toplevel")
    except FileNotFoundError:  # no git installed: nothing can commit the file
        return None
    if completed.returncode == 0:
        return WorkTree(Path(completed.stdout.strip()))
    if _NOT_A_REPOSITORY in completed.stderr:
        return None
    raise SecretFileError(
        f"git cannot tell whether {path} is in a work tree: "
        f"{_first_line(completed.stderr)}",
        hint="fix the git repository (for example git config --global --add "
        "safe.directory), or write elsewhere with --dir",
    )


def _append(gitignore: Path, rule: str) -> None:
    try:
        before = gitignore.read_text(encoding="utf-8")
    except FileNotFoundError:
        before = ""
    separator = "\n" if before and not before.endswith("\n") else ""
    comment = "" if _COMMENT in before else _COMMENT
    with gitignore.open("a", encoding="utf-8") as stream:
        stream.write(f"{separator}{comment}{rule}\n")


def _git(directory: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(directory), *arguments],
        capture_output=True,
        text=True,
        check=False,
    )


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0] if lines else "no message"
