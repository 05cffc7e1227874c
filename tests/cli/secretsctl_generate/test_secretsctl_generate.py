"""The installed `secretsctl generate`, run as a person would run it.

Every run's stdout and stderr are searched for the values it wrote: a value
may only ever appear with --show.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
from pathlib import Path

import pytest
from dotenv import dotenv_values
from support import commands

SECRETSCTL = Path(sys.executable).parent / "secretsctl"
ROOT = Path(__file__).resolve().parents[3]
FOLDER = Path("config/secrets/development")
TIMEOUT_SECONDS = 60


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's manifest in a folder outside any git work tree."""
    shutil.copy(ROOT / "secrets.example", tmp_path / "secrets.example")
    return tmp_path


def secretsctl(cwd: Path, *arguments: str) -> commands.Result:
    environ = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    return commands.run(
        (SECRETSCTL, *arguments), cwd=cwd, env=environ, timeout=TIMEOUT_SECONDS
    )


def written(project: Path) -> dict[str, str]:
    folder = project / FOLDER
    return {path.name: path.read_text() for path in sorted(folder.iterdir())}


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_generates_the_manifest_recipes_quietly(project: Path) -> None:
    """Four files, 0600 in a 0700 folder; the output names paths, never values."""
    run = secretsctl(project, "generate").expect(0)

    values = written(project)
    assert sorted(values) == [
        "admin_password",
        "encryption_key",
        "jwt_secret",
        "postgres_password",
    ]
    assert mode(project / FOLDER) == 0o700
    assert {mode(project / FOLDER / name) for name in values} == {0o600}
    assert str(FOLDER / "postgres_password") in run.stdout
    run.assert_reveals_none_of(*values.values())


def test_a_second_run_refuses_without_force(project: Path) -> None:
    """Exit 73, every file untouched, the hint names --force."""
    secretsctl(project, "generate").expect(0)
    before = written(project)

    run = secretsctl(project, "generate").expect(73)

    assert written(project) == before
    assert "--force" in run.stderr
    run.assert_reveals_none_of(*before.values())

    forced = secretsctl(project, "generate", "--force").expect(0)
    after = written(project)
    assert after.keys() == before.keys()
    assert not set(after.values()) & set(before.values())
    forced.assert_reveals_none_of(*after.values(), *before.values())


def test_show_prints_the_values(project: Path) -> None:
    """With --show, and only then, each value is printed as KEY=value."""
    run = secretsctl(project, "generate", "--show").expect(0)

    for name, value in written(project).items():
        assert f"{name.upper()}={value}" in run.stdout, str(run)


def test_env_is_readable_by_python_dotenv(project: Path) -> None:
    """Generated values plus defaults, in a 0600 file, printed by name only."""
    run = secretsctl(project, "generate", "--env").expect(0)

    env = dotenv_values(project / ".env")
    values = written(project)
    assert mode(project / ".env") == 0o600
    assert env["JWT_SECRET"] == values["jwt_secret"]
    assert env["ADMIN_PASSWORD"] == values["admin_password"]
    assert env["POSTGRES_USER"] == "notioniauser"
    assert str(env["DATABASE_URL"]).startswith("postgresql://notioniauser:")
    run.assert_reveals_none_of(*values.values())


def test_unknown_recipe_names_the_key(project: Path) -> None:
    """Exit 78; the key and the bad recipe are named; nothing is written."""
    (project / "secrets.example").write_text(
        "# @secret @generate=pasword\nDB_PASSWORD=\n"
    )

    run = secretsctl(project, "generate").expect(78)

    assert "DB_PASSWORD" in run.stderr
    assert "unknown recipe 'pasword'" in run.stderr
    assert not (project / FOLDER).exists()


def git(repository: Path, *arguments: str) -> str:
    return commands.run(["git", "-C", str(repository), *arguments]).expect(0).stdout


def test_refuses_a_folder_git_would_track_until_gitignore(project: Path) -> None:
    """In a work tree: exit 73 and nothing written; --gitignore adds the rule."""
    git(project, "init", "-q")

    refused = secretsctl(project, "generate").expect(73)

    assert "--gitignore" in refused.stderr
    assert not (project / FOLDER).exists()

    run = secretsctl(project, "generate", "--gitignore", "--env").expect(0)

    rules = (project / ".gitignore").read_text().splitlines()
    assert "/config/secrets/development/" in rules
    assert "/.env" in rules
    untracked = git(project, "status", "--porcelain", "--untracked-files=all")
    assert sorted(line[3:] for line in untracked.splitlines()) == [
        ".gitignore",
        "secrets.example",
    ]
    run.assert_reveals_none_of(*written(project).values())
