"""`secretsctl generate` end to end, in process: files, .env, output."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from dotenv import dotenv_values

from entrypoint.errors import EX_CANTCREAT, EX_CONFIG
from secretsctl.cli import main

MANIFEST = """\
DB_USER=app
# @required @secret @generate=password
DB_PASSWORD=
# @required
DATABASE_URL=postgresql://${DB_USER}:${DB_PASSWORD|url}@db:5432/app
# @required @secret @generate=token:32 @file=jwt.key
JWT_SECRET=
# @secret
OPENAI_API_KEY=your_key_here
LOG_LEVEL=info
"""
FOLDER = Path("config/secrets/development")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder outside any git work tree, as the working directory."""
    (tmp_path / "secrets.example").write_text(MANIFEST)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def values_in(folder: Path) -> dict[str, str]:
    return {path.name: path.read_text() for path in sorted(folder.iterdir())}


def test_writes_one_file_per_generate_key(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Files are named as the manifest says; the output names them, not values."""
    assert main(["generate"]) == 0

    written = values_in(project / FOLDER)
    assert sorted(written) == ["db_password", "jwt.key"]
    assert stat.S_IMODE(os.stat(project / FOLDER).st_mode) == 0o700
    for name in written:
        assert stat.S_IMODE(os.stat(project / FOLDER / name).st_mode) == 0o600
    out, err = capsys.readouterr()
    assert "DB_PASSWORD" in out
    assert str(FOLDER / "jwt.key") in out
    for value in written.values():
        assert value not in out + err


def test_show_prints_the_values(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --show, and only then, each value is printed as KEY=value."""
    assert main(["generate", "--show"]) == 0

    out, _ = capsys.readouterr()
    written = values_in(project / FOLDER)
    assert f"DB_PASSWORD={written['db_password']}" in out
    assert f"JWT_SECRET={written['jwt.key']}" in out


def test_second_run_refuses_and_changes_nothing(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every existing file is named; none is rewritten; the code is EX_CANTCREAT."""
    main(["generate"])
    before = values_in(project / FOLDER)
    capsys.readouterr()

    assert main(["generate"]) == EX_CANTCREAT

    assert values_in(project / FOLDER) == before
    err = capsys.readouterr().err
    assert "db_password" in err
    assert "jwt.key" in err
    assert "--force" in err


def test_force_replaces_and_keep_existing_keeps(project: Path) -> None:
    """--keep-existing fills gaps only; --force makes every value new."""
    main(["generate"])
    first = values_in(project / FOLDER)
    (project / FOLDER / "jwt.key").unlink()

    assert main(["generate", "--keep-existing"]) == 0
    kept = values_in(project / FOLDER)
    assert kept["db_password"] == first["db_password"]
    assert kept["jwt.key"] != first["jwt.key"]

    assert main(["generate", "--force"]) == 0
    forced = values_in(project / FOLDER)
    assert forced["db_password"] != first["db_password"]


def test_env_combines_generated_values_with_defaults(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """python-dotenv reads the .env back: values, defaults, derived URL, 0600."""
    assert main(["generate", "--env"]) == 0

    env = project / ".env"
    assert stat.S_IMODE(os.stat(env).st_mode) == 0o600
    read = dotenv_values(env)
    written = values_in(project / FOLDER)
    assert read["DB_PASSWORD"] == written["db_password"]
    assert read["JWT_SECRET"] == written["jwt.key"]
    assert read["LOG_LEVEL"] == "info"
    assert "OPENAI_API_KEY" not in read  # a secret's placeholder is never used
    url = urlsplit(str(read["DATABASE_URL"]))
    assert unquote(str(url.password)) == written["db_password"]
    out, err = capsys.readouterr()
    assert ".env" in out
    for value in written.values():
        assert value not in out + err


def test_env_at_a_chosen_path_is_not_overwritten_without_force(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An existing .env is refused, even with --keep-existing, before any write."""
    env = project / "dev.env"
    env.write_text("MINE=1\n")

    assert main(["generate", "--keep-existing", "--env", str(env)]) == EX_CANTCREAT
    assert env.read_text() == "MINE=1\n"
    assert not (project / FOLDER).exists()
    assert f"the .env file {env}" in capsys.readouterr().err

    assert main(["generate", "--env", str(env), "--force"]) == 0
    assert "DB_PASSWORD" in dotenv_values(env)


def test_force_replaces_a_dangling_link(project: Path) -> None:
    """A link left where a secret file belongs is replaced, not followed."""
    main(["generate"])
    link = project / FOLDER / "db_password"
    link.unlink()
    link.symlink_to(project / "nowhere")

    assert main(["generate", "--force"]) == 0

    assert not link.is_symlink()
    assert not (project / "nowhere").exists()


def test_gitignore_option_in_a_work_tree(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Refused in a git work tree; --gitignore adds the rules and proceeds."""
    subprocess.run(["git", "init", "-q", str(project)], check=True)

    assert main(["generate", "--env"]) == EX_CANTCREAT
    assert not (project / FOLDER).exists()

    assert main(["generate", "--env", "--gitignore"]) == 0
    assert (project / ".gitignore").read_text() == (
        "# Development secrets written by secretsctl generate\n"
        "/config/secrets/development/\n"
        "/.env\n"
    )
    assert "added /.env to .gitignore" in capsys.readouterr().out


def test_unknown_recipe_fails_before_writing(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad recipe is reported by key and leaves no folder behind."""
    (project / "secrets.example").write_text("# @secret @generate=uuid4\nAPI_KEY=\n")

    assert main(["generate"]) == EX_CONFIG

    assert "API_KEY" in capsys.readouterr().err
    assert not (project / FOLDER).exists()


def test_password_length_option(project: Path) -> None:
    """--password-length sets the length of `password` values."""
    assert main(["generate", "--password-length", "48"]) == 0

    assert len((project / FOLDER / "db_password").read_text()) == 48


def test_manifest_without_recipes_is_an_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Nothing to generate is an error that points at @generate."""
    (project / "secrets.example").write_text("LOG_LEVEL=info\n")

    assert main(["generate"]) == EX_CONFIG
    assert "@generate" in capsys.readouterr().err
