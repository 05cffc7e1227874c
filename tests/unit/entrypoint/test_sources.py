"""Reading the secrets directory and KEY_FILE pointers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from entrypoint.manifest import parse
from entrypoint.sources import (
    MAX_SECRET_BYTES,
    from_environment,
    from_key_file,
    key_for_file_name,
    read_secret_file,
    scan_directory,
)

MANIFEST = parse(
    "DB_PASSWORD=\n# @file=openai_key\nOPENAI_API_KEY=\nJWT_SECRET=\n",
    Path("secrets.example"),
)


def secrets(tmp_path: Path, **files: bytes) -> Path:
    directory = tmp_path / "secrets"
    directory.mkdir(exist_ok=True)
    for name, data in files.items():
        (directory / name).write_bytes(data)
    return directory


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("postgres_password", "POSTGRES_PASSWORD"),
        ("postgres-password", "POSTGRES_PASSWORD"),
        ("postgres.password", "POSTGRES_PASSWORD"),
        ("MixedCase", "MIXEDCASE"),
    ],
)
def test_file_names_map_to_upper_case_keys(name: str, key: str) -> None:
    """Dashes and dots become underscores; letters become upper case."""
    assert key_for_file_name(name) == key


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"pw\n", "pw"),
        (b"pw\r\n", "pw"),
        (b"pw\n\n", "pw\n"),
        (b"pw\r", "pw\r"),
        (b" pw \t", " pw \t"),
        (b"", ""),
        ("é€".encode(), "é€"),
    ],
)
def test_exactly_one_trailing_line_break_is_removed(
    tmp_path: Path, data: bytes, text: str
) -> None:
    """`echo pw | docker secret create` adds one newline; nothing else changes."""
    path = tmp_path / "value"
    path.write_bytes(data)
    problems: list[str] = []

    assert read_secret_file(str(path), "value", problems) == text
    assert problems == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"a\0b", "contains a NUL byte"),
        (b"\xff\xfe", "is not UTF-8 text"),
        (b"x" * (MAX_SECRET_BYTES + 1), "larger than 1 MiB"),
    ],
)
def test_unusable_secret_files_are_reported(
    tmp_path: Path, data: bytes, message: str
) -> None:
    """A value no environment variable can hold is a problem naming the file."""
    path = tmp_path / "value"
    path.write_bytes(data)
    problems: list[str] = []

    assert read_secret_file(str(path), "/run/secrets/value", problems) is None
    assert len(problems) == 1
    assert message in problems[0]
    assert "/run/secrets/value" in problems[0]


def test_file_of_exactly_one_mebibyte_is_accepted(tmp_path: Path) -> None:
    """The limit is inclusive: Kubernetes allows a secret of exactly 1 MiB."""
    path = tmp_path / "value"
    path.write_bytes(b"x" * MAX_SECRET_BYTES)

    assert read_secret_file(str(path), "value", []) == "x" * MAX_SECRET_BYTES


def test_manifest_decides_which_files_are_taken(tmp_path: Path) -> None:
    """Declared files are read (by @file name too); others are only named."""
    directory = secrets(tmp_path, db_password=b"a\n", openai_key=b"b\n", stray=b"c\n")

    scan = scan_directory(directory, MANIFEST)

    assert {key: found.text for key, found in scan.found.items()} == {
        "DB_PASSWORD": "a",
        "OPENAI_API_KEY": "b",
    }
    assert scan.undeclared == ["stray"]
    assert scan.problems == []


def test_without_manifest_every_file_is_taken(tmp_path: Path) -> None:
    """With nothing to check against, each regular file becomes a key."""
    directory = secrets(tmp_path, db_password=b"a", stray=b"c")
    (directory / "subdir").mkdir()

    scan = scan_directory(directory, None)

    assert sorted(scan.found) == ["DB_PASSWORD", "STRAY"]


def test_dot_entries_are_skipped(tmp_path: Path) -> None:
    """Kubernetes' ..data links and timestamped folders are not secrets."""
    directory = secrets(tmp_path, **{".hidden": b"x"})
    (directory / "..2024_01_01").mkdir()
    (directory / "..2024_01_01" / "db_password").write_text("k8s")
    (directory / "..data").symlink_to("..2024_01_01")
    (directory / "db_password").symlink_to("..data/db_password")

    scan = scan_directory(directory, None)

    assert {key: found.text for key, found in scan.found.items()} == {
        "DB_PASSWORD": "k8s"
    }


def test_symlink_leaving_the_directory_is_a_problem(tmp_path: Path) -> None:
    """A link to /etc/shadow-like files outside the directory is never read."""
    outside = tmp_path / "outside"
    outside.write_text("not a secret of ours")
    directory = secrets(tmp_path)
    (directory / "db_password").symlink_to(outside)

    scan = scan_directory(directory, MANIFEST)

    assert scan.found == {}
    assert len(scan.problems) == 1
    assert "leaves the secrets directory" in scan.problems[0]


def test_two_files_for_one_key_is_a_problem(tmp_path: Path) -> None:
    """`db-password` and `db.password` cannot both be DB_PASSWORD."""
    directory = secrets(tmp_path, **{"db-password": b"a", "db.password": b"b"})

    scan = scan_directory(directory, None)

    assert len(scan.problems) == 1
    assert "db-password" in scan.problems[0]
    assert "db.password" in scan.problems[0]
    assert "DB_PASSWORD" in scan.problems[0]


def test_file_name_that_is_no_valid_key_is_a_problem(tmp_path: Path) -> None:
    """A name such as `1st key` cannot become a variable name."""
    directory = secrets(tmp_path, **{"1st key": b"a"})

    scan = scan_directory(directory, None)

    assert scan.found == {}
    assert "'1st key'" in scan.problems[0]


def test_missing_directory_is_empty(tmp_path: Path) -> None:
    """No /run/secrets is normal when everything comes from the environment."""
    scan = scan_directory(tmp_path / "absent", MANIFEST)

    assert (scan.found, scan.problems) == ({}, [])


def test_directory_that_is_a_file_is_a_problem(tmp_path: Path) -> None:
    """A secrets directory path pointing at a file is reported."""
    path = tmp_path / "file"
    path.write_text("x")

    assert "is not a directory" in scan_directory(path, MANIFEST).problems[0]


def test_key_file_is_read(tmp_path: Path) -> None:
    """KEY_FILE names a file whose content becomes KEY."""
    path = tmp_path / "pw"
    path.write_text("from-file\n")
    problems: list[str] = []

    found = from_key_file("DB_PASSWORD", {"DB_PASSWORD_FILE": str(path)}, problems)

    assert found is not None
    assert (found.text, found.source, found.origin) == (
        "from-file",
        "key-file",
        "DB_PASSWORD_FILE",
    )
    assert problems == []


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"K": "x", "K_FILE": "/dev/null"}, "both K and K_FILE are set"),
        ({"K_FILE": "/nonexistent/path"}, "K_FILE=/nonexistent/path cannot be read"),
        ({"K_FILE": "/"}, "K_FILE=/ cannot be read"),
        ({"K_FILE": ""}, "K_FILE is empty"),
    ],
)
def test_bad_key_file_is_a_problem(environ: dict[str, str], message: str) -> None:
    """Conflicting, missing or unreadable KEY_FILE pointers are reported."""
    problems: list[str] = []

    assert from_key_file("K", environ, problems) is None
    assert len(problems) == 1
    assert message in problems[0]


def test_key_file_that_is_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    """A pipe with no writer would hang the start; it is reported instead."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    problems: list[str] = []

    assert from_key_file("K", {"K_FILE": str(fifo)}, problems) is None
    assert "not a regular file" in problems[0]


def test_environment_value_must_be_utf8() -> None:
    """A value os.environ could only decode with surrogates is rejected."""
    problems: list[str] = []

    assert from_environment("K", {"K": "bad\udcff"}, problems) is None
    assert "not valid UTF-8" in problems[0]
