"""Gathering the project's real values from secrets folders and .env files."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from entrypoint.manifest import parse
from secretsctl.validate.errors import EXIT_ERROR, ValidateError
from secretsctl.validate.known import gather, is_secret_key

MANIFEST = parse(
    "# @secret\nPOSTGRES_PASSWORD=\n"
    "POSTGRES_DB=notionassistant\n"
    "# @secret @file=openai_api_key\nOPENAI_API_KEY=your_openai_key_here\n",
    Path("secrets.example"),
)


def folder(tmp_path: Path, **files: str) -> Path:
    directory = tmp_path / "secrets"
    directory.mkdir()
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def test_every_file_of_a_secrets_folder_is_a_known_value(tmp_path: Path) -> None:
    password, token = secrets.token_urlsafe(16), secrets.token_hex(16)
    directory = folder(tmp_path, postgres_password=password + "\n", extra_token=token)

    known = gather([directory], [], MANIFEST)

    assert {(value.key, value.value) for value in known.values} == {
        ("POSTGRES_PASSWORD", password),
        ("EXTRA_TOKEN", token),
    }


def test_files_the_manifest_declares_not_secret_are_skipped(tmp_path: Path) -> None:
    """A database name in the secrets folder is in every compose file, rightly."""
    directory = folder(tmp_path, postgres_db="notionassistant")

    assert gather([directory], [], MANIFEST).values == []


def test_file_names_map_through_the_manifest(tmp_path: Path) -> None:
    """`@file=openai_api_key` names the key, as the entrypoint reads it."""
    directory = folder(tmp_path, **{"openai_api_key": secrets.token_hex(20)})

    known = gather([directory], [], MANIFEST)

    assert [value.key for value in known.values] == ["OPENAI_API_KEY"]


def test_only_secret_keys_of_a_env_file_are_taken(tmp_path: Path) -> None:
    password, token = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    env = tmp_path / ".env"
    env.write_text(
        f"POSTGRES_PASSWORD={password}\n"
        "POSTGRES_DB=notionassistant\n"
        f"UNDECLARED_API_TOKEN={token}\n"
        "UNDECLARED_SETTING=some-long-setting\n",
        encoding="utf-8",
    )

    known = gather([], [env], MANIFEST)

    assert sorted(value.key for value in known.values) == [
        "POSTGRES_PASSWORD",
        "UNDECLARED_API_TOKEN",
    ]


def test_values_shorter_than_eight_characters_are_ignored(tmp_path: Path) -> None:
    directory = folder(tmp_path, short_secret="1234567", long_secret="12345678")

    known = gather([directory], [], None)

    assert [value.key for value in known.values] == ["LONG_SECRET"]


def test_manifest_placeholders_are_not_values(tmp_path: Path) -> None:
    """A .env copied from secrets.example still holds its placeholders."""
    env = tmp_path / ".env"
    env.write_text("OPENAI_API_KEY=your_openai_key_here\n", encoding="utf-8")

    assert gather([], [env], MANIFEST).values == []


def test_a_value_known_twice_is_kept_once(tmp_path: Path) -> None:
    password = secrets.token_urlsafe(16)
    directory = folder(tmp_path, postgres_password=password)
    env = tmp_path / ".env"
    env.write_text(f"POSTGRES_PASSWORD={password}\n", encoding="utf-8")

    assert len(gather([directory], [env], MANIFEST).values) == 1


def test_the_value_is_not_in_the_repr(tmp_path: Path) -> None:
    password = secrets.token_urlsafe(16)
    directory = folder(tmp_path, postgres_password=password)

    known = gather([directory], [], MANIFEST)

    assert password not in repr(known)


@pytest.mark.parametrize("option", ["secrets_dir", "env_file"])
def test_a_missing_source_is_an_error(tmp_path: Path, option: str) -> None:
    missing = tmp_path / "missing"
    directories, env_files = (
        ([missing], []) if option == "secrets_dir" else ([], [missing])
    )

    with pytest.raises(ValidateError) as caught:
        gather(directories, env_files, MANIFEST)

    assert caught.value.exit_code == EXIT_ERROR
    assert str(missing) in str(caught.value)
    assert "Hint:" in str(caught.value)


@pytest.mark.parametrize(
    ("key", "secret"),
    [
        ("POSTGRES_PASSWORD", True),
        ("POSTGRES_DB", False),
        ("OPENAI_API_KEY", True),
        ("GITHUB_TOKEN", True),
        ("SIGNING_KEY", True),
        ("LOG_LEVEL", False),
    ],
)
def test_secret_keys_come_from_the_manifest_then_from_names(
    key: str, secret: bool
) -> None:
    assert is_secret_key(key, MANIFEST) is secret
