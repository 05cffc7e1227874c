"""Secrets are never written where git would commit them."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from secretsctl.generate.files import SecretFileError
from secretsctl.generate.gitignore import Protected, guard, work_tree_of


def git(repository: Path, *arguments: str) -> None:
    subprocess.run(["git", "-C", str(repository), *arguments], check=True)


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    git(root, "init", "-q")
    return root


def folder_item(folder: Path) -> Protected:
    return Protected(folder / "jwt_secret", folder, directory=True)


def test_outside_a_work_tree_nothing_is_checked(tmp_path: Path) -> None:
    """No repository, no risk of a commit: the guard passes and adds nothing."""
    folder = tmp_path / "config" / "secrets" / "development"

    assert work_tree_of(folder) is None
    assert guard([folder_item(folder)], add_rules=False) == []


def test_unignored_folder_in_a_work_tree_is_refused(repository: Path) -> None:
    """The error names the folder and the repository, and hints at --gitignore."""
    folder = repository / "config" / "secrets" / "development"

    with pytest.raises(SecretFileError) as caught:
        guard([folder_item(folder)], add_rules=False)

    assert str(folder) in caught.value.message
    assert "--gitignore" in str(caught.value.hint)
    assert "/config/secrets/development/" in str(caught.value.hint)
    assert not (repository / ".gitignore").exists()


def test_gitignore_option_adds_an_anchored_rule(repository: Path) -> None:
    """The rule is appended after existing content, and git then ignores it."""
    (repository / ".gitignore").write_text("*.pyc")
    folder = repository / "config" / "secrets" / "development"

    added = guard([folder_item(folder)], add_rules=True)

    assert added == ["/config/secrets/development/"]
    lines = (repository / ".gitignore").read_text().splitlines()
    assert lines[0] == "*.pyc"
    assert lines[-1] == "/config/secrets/development/"
    assert guard([folder_item(folder)], add_rules=False) == []


def test_already_ignored_folder_passes(repository: Path) -> None:
    """A broader existing rule is enough; nothing is added."""
    (repository / ".gitignore").write_text("config/secrets/\n")
    folder = repository / "config" / "secrets" / "development"

    assert guard([folder_item(folder)], add_rules=False) == []


def test_env_file_rule_covers_only_the_file(repository: Path) -> None:
    """The .env rule names the file, not its whole folder."""
    env = repository / ".env"

    added = guard([Protected(env, env, directory=False)], add_rules=True)

    assert added == ["/.env"]


def test_tracked_file_stays_refused_after_adding_the_rule(repository: Path) -> None:
    """A rule cannot untrack a committed file: the hint says git rm --cached."""
    folder = repository / "dev"
    folder.mkdir()
    (folder / "jwt_secret").write_text("committed by mistake")
    git(repository, "add", "dev/jwt_secret")

    with pytest.raises(SecretFileError) as caught:
        guard([folder_item(folder)], add_rules=True)

    assert "already tracks it" in caught.value.message
    assert "git rm --cached" in str(caught.value.hint)
