"""File modes of .env files, secrets folders and secret files; --fix."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from secretsctl.validate.permissions import check, expectations


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A .env, a secrets folder and one secret file, all too open."""
    env = tmp_path / ".env"
    env.write_text("A=1\n", encoding="utf-8")
    env.chmod(0o644)
    folder = tmp_path / "config" / "secrets" / "development"
    folder.mkdir(parents=True)
    folder.chmod(0o755)
    secret = folder / "postgres_password"
    secret.write_text("x" * 16, encoding="utf-8")
    secret.chmod(0o640)
    return env, folder, secret


def test_open_modes_are_findings(
    tmp_path: Path, layout: tuple[Path, Path, Path]
) -> None:
    env, folder, _ = layout

    result = check(expectations([env], [folder]), tmp_path, fix=False)

    assert [(f.path, f.rule) for f in result.findings] == [
        (".env", "env-file-mode"),
        ("config/secrets/development", "secrets-dir-mode"),
        ("config/secrets/development/postgres_password", "secret-file-mode"),
    ]
    assert "has mode 0644; expected 0600" in result.findings[0].message
    assert result.fixed == []
    assert mode(env) == 0o644


def test_fix_applies_the_expected_modes(
    tmp_path: Path, layout: tuple[Path, Path, Path]
) -> None:
    env, folder, secret = layout

    result = check(expectations([env], [folder]), tmp_path, fix=True)

    assert result.findings == []
    assert (mode(env), mode(folder), mode(secret)) == (0o600, 0o700, 0o600)
    assert result.fixed[0] == ".env: 0644 -> 0600"
    assert check(expectations([env], [folder]), tmp_path, fix=False).findings == []


def test_stricter_modes_pass(tmp_path: Path, layout: tuple[Path, Path, Path]) -> None:
    env, folder, secret = layout
    env.chmod(0o400)
    secret.chmod(0o400)
    folder.chmod(0o500)

    try:
        result = check(expectations([env], [folder]), tmp_path, fix=False)
    finally:
        folder.chmod(0o700)

    assert result.findings == []


def test_symlinks_and_dot_files_are_left_alone(
    tmp_path: Path, layout: tuple[Path, Path, Path]
) -> None:
    """Kubernetes keeps `..data` links in a secrets folder; they are not secrets."""
    _, folder, secret = layout
    folder.chmod(0o700)
    secret.chmod(0o600)
    os.symlink(secret, folder / "link")
    (folder / "..data").mkdir()

    assert check(expectations([], [folder]), tmp_path, fix=True).fixed == []


def test_paths_that_do_not_exist_are_not_expected(tmp_path: Path) -> None:
    assert expectations([tmp_path / ".env"], [tmp_path / "missing"]) == []
