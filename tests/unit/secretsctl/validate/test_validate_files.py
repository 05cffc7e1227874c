"""Which files are read: git's tracked and staged ones, ignored places, paths."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from secretsctl.validate.errors import EXIT_ERROR, ValidateError
from secretsctl.validate.files import Selection, Target, label, read, select, walk

Git = Callable[..., str]


def write(root: Path, name: str, text: str = "content\n") -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def labels(targets: list[Target]) -> list[tuple[str, bool, bool]]:
    """(label, read from disk, patterns apply) for each target."""
    return [(t.label, t.disk is not None, t.patterns) for t in targets]


def test_tracked_files_are_read_from_the_work_tree(repository: Path, git: Git) -> None:
    write(repository, "app/main.py")
    write(repository, "untracked.txt")
    git("add", "app/main.py")
    git("commit", "-qm", "first")

    targets = select(Selection(repository, ignored=False))

    assert labels(targets) == [("app/main.py", True, True)]


def test_staged_files_are_also_read_from_the_index(repository: Path, git: Git) -> None:
    """The index is what the next commit holds, whatever the work tree says."""
    path = write(repository, "config.txt", "staged text\n")
    git("add", "config.txt")
    path.write_text("work tree text\n", encoding="utf-8")

    targets = select(Selection(repository, ignored=False))

    assert labels(targets) == [("config.txt", True, True), ("config.txt", False, True)]
    assert read(targets[1], repository) == b"staged text\n"
    assert read(targets[0], repository) == b"work tree text\n"


def test_a_staged_file_deleted_from_the_work_tree_is_read_from_the_index(
    repository: Path, git: Git
) -> None:
    write(repository, "gone.txt")
    git("add", "gone.txt")
    (repository / "gone.txt").unlink()

    targets = select(Selection(repository, ignored=False))

    assert labels(targets) == [("gone.txt", False, True)]


def test_ignored_logs_backups_and_histories_are_searched_by_default(
    repository: Path, tmp_path: Path, git: Git
) -> None:
    write(repository, ".gitignore", "logs/\nbackups/\n.bash_history\n")
    write(repository, "logs/app.log")
    write(repository, "backups/2024/db.sql.gz")
    write(repository, ".bash_history")
    home = tmp_path / "home"
    write(home, ".psql_history")
    git("add", ".gitignore")

    targets = select(Selection(repository, home=home))

    assert labels(targets) == [
        (".gitignore", True, True),
        (".gitignore", False, True),
        ("logs/app.log", True, False),
        ("backups/2024/db.sql.gz", True, False),
        (".bash_history", True, False),
        (str(home / ".psql_history"), True, False),
    ]


def test_ignored_places_can_be_left_out(repository: Path, git: Git) -> None:
    write(repository, "logs/app.log")

    assert select(Selection(repository, ignored=False)) == []


def test_outside_a_git_repository_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValidateError) as caught:
        select(Selection(tmp_path))

    assert caught.value.exit_code == EXIT_ERROR
    assert "not inside a git work tree" in str(caught.value)
    assert "Hint:" in str(caught.value)


def test_paths_replace_git_and_folders_are_walked(tmp_path: Path) -> None:
    write(tmp_path, "a.txt")
    write(tmp_path, "docs/b.md")
    write(tmp_path, "docs/.git/config")
    write(tmp_path, "docs/node_modules/x.js")

    targets = select(Selection(tmp_path, paths=(tmp_path / "a.txt", tmp_path / "docs")))

    assert labels(targets) == [("a.txt", True, True), ("docs/b.md", True, True)]


def test_a_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValidateError, match="does not exist"):
        select(Selection(tmp_path, paths=(tmp_path / "missing",)))


def test_walking_skips_the_files_values_were_read_from(tmp_path: Path) -> None:
    env = write(tmp_path, ".env")
    write(tmp_path, "notes.txt")

    assert list(walk(tmp_path, frozenset({env}))) == [tmp_path / "notes.txt"]


def test_walking_does_not_follow_symlinks(tmp_path: Path) -> None:
    target = write(tmp_path / "outside", "secret.txt")
    inside = tmp_path / "inside"
    inside.mkdir()
    os.symlink(target, inside / "link.txt")

    assert list(walk(inside)) == []


def test_labels_are_relative_to_the_project_when_inside_it(tmp_path: Path) -> None:
    assert label(tmp_path / "a" / "b.txt", tmp_path) == "a/b.txt"
    assert label(Path("/elsewhere/c.txt"), tmp_path) == "/elsewhere/c.txt"


def test_submodules_in_the_index_are_not_read_as_files(
    repository: Path, git: Git
) -> None:
    """A gitlink has no content to search; reading it as a blob would fail."""
    commit = "0123456789abcdef0123456789abcdef01234567"
    git("update-index", "--add", "--cacheinfo", f"160000,{commit},vendor/lib")
    write(repository, "app.py")
    git("add", "app.py")

    targets = select(Selection(repository, ignored=False))

    assert labels(targets) == [("app.py", True, True), ("app.py", False, True)]
    assert [read(target, repository) for target in targets] == [b"content\n"] * 2
