"""The .env writer: a lossless round trip through python-dotenv, written safely."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest
from dotenv import dotenv_values
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic_settings import BaseSettings, SettingsConfigDict

from entrypoint import envfile
from entrypoint.errors import EnvFileError

HOSTILE = "\"'\\$ {}#=\r\n\t`:-aZ\u00e9\u2028"
TRAPS = [
    "",
    "plain",
    "${X}",
    "${:-$}",
    "$${X}",
    "\\",
    "ends with \\",
    '"quoted"',
    "'single'",
    '\\"',
    "a\rb",
    "a\r\nb",
    "line\nbreak",
    "  spaced  ",
    "# not a comment",
    "key=value",
    "naïve ☃ 𝄞",
    "\\n literal backslash n",
    "$",
    "${",
    "}",
]


def round_trip(path: Path, values: dict[str, str]) -> dict[str, str | None]:
    path.write_text(envfile.serialise(values), encoding="utf-8")
    return dict(dotenv_values(path))


@pytest.mark.parametrize("text", TRAPS)
def test_known_traps_round_trip(tmp_path: Path, text: str) -> None:
    """Each string that breaks naive writers reads back unchanged."""
    values = {"VALUE": text, "AFTER": "next line intact"}

    assert round_trip(tmp_path / ".env", values) == values


@settings(max_examples=400, deadline=None)
@given(
    st.dictionaries(
        st.from_regex(r"[A-Z_][A-Z0-9_]{0,8}", fullmatch=True),
        st.text(alphabet=HOSTILE, max_size=12)
        | st.text(
            st.characters(exclude_categories=["Cs"], exclude_characters="\0"),
            max_size=20,
        ),
        max_size=6,
    )
)
def test_any_string_without_nul_round_trips(
    tmp_path_factory: pytest.TempPathFactory, values: dict[str, str]
) -> None:
    """python-dotenv's default reader gives back exactly what was written."""
    path = tmp_path_factory.mktemp("roundtrip") / ".env"

    assert round_trip(path, values) == values


def test_pydantic_settings_reads_the_file(tmp_path: Path) -> None:
    """pydantic-settings, reading the file as its env_file, sees the values."""
    values = {"PASSWORD": 'p@ss "${HOME}" \\', "URL": "postgres://u:p%40@h/db"}
    path = tmp_path / ".env"
    path.write_text(envfile.serialise(values), encoding="utf-8")

    class Config(BaseSettings):
        model_config = SettingsConfigDict(env_file=path)
        password: str
        url: str

    loaded = Config()

    assert (loaded.password, loaded.url) == (values["PASSWORD"], values["URL"])


def test_file_is_utf8_with_lf_endings_and_no_bom(tmp_path: Path) -> None:
    """The bytes on disk are plain UTF-8 lines ending in LF."""
    path = tmp_path / "run" / ".env"

    envfile.write(path, envfile.serialise({"A": "é\r\n"}), envfile.Owner())
    data = path.read_bytes()

    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\n") == 1
    assert b"\r" not in data
    assert data.decode("utf-8") == 'A="é\\r\\n"\n'


def test_new_file_and_directory_are_private(tmp_path: Path) -> None:
    """The directory is created 0700 and the file 0600, whatever the umask."""
    path = tmp_path / "run" / ".env"
    old_umask = os.umask(0)
    try:
        envfile.write(path, "A=1\n", envfile.Owner())
    finally:
        os.umask(old_umask)

    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_file_is_created_private_not_chmodded_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The temporary file is opened with mode 0600; no chmod ever runs."""
    opened: list[int] = []
    real_open = os.open

    def spy(path: object, flags: int, mode: int = 0o777, **kwargs: object) -> int:
        if flags & os.O_CREAT:
            opened.append(mode)
        return real_open(path, flags, mode, **kwargs)  # type: ignore[arg-type]

    def no_chmod(*args: object, **kwargs: object) -> None:
        raise AssertionError("chmod must not be needed")

    monkeypatch.setattr(os, "open", spy)
    monkeypatch.setattr(os, "chmod", no_chmod)
    monkeypatch.setattr(os, "fchmod", no_chmod)

    envfile.write(tmp_path / ".env", "A=1\n", envfile.Owner())

    assert opened == [0o600]


def test_replaces_an_existing_file(tmp_path: Path) -> None:
    """A second write replaces the first one whole."""
    path = tmp_path / ".env"
    envfile.write(path, "A=1\n", envfile.Owner())

    envfile.write(path, "B=2\n", envfile.Owner())

    assert path.read_text() == "B=2\n"


def test_symlink_at_target_is_refused(tmp_path: Path) -> None:
    """A link at the .env path is never written through."""
    victim = tmp_path / "victim"
    victim.write_text("untouched")
    (tmp_path / ".env").symlink_to(victim)

    with pytest.raises(EnvFileError, match="symlink"):
        envfile.write(tmp_path / ".env", "A=1\n", envfile.Owner())

    assert victim.read_text() == "untouched"


def test_directory_writable_by_others_is_refused(tmp_path: Path) -> None:
    """Another user could swap the file in a group- or world-writable directory."""
    directory = tmp_path / "shared"
    directory.mkdir()
    directory.chmod(0o777)

    with pytest.raises(EnvFileError, match="writable by group or others") as caught:
        envfile.write(directory / ".env", "A=1\n", envfile.Owner())

    assert caught.value.exit_code == 73
    assert list(directory.iterdir()) == []


def test_missing_parent_is_an_error(tmp_path: Path) -> None:
    """Only the last directory is created; a missing parent is reported."""
    with pytest.raises(EnvFileError, match=r"cannot create the \.env directory"):
        envfile.write(tmp_path / "a" / "b" / ".env", "A=1\n", envfile.Owner())


def test_failed_write_keeps_old_file_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk mid-write leaves the previous file whole and nothing else."""
    path = tmp_path / ".env"
    path.write_text("OLD=1\n")
    path.chmod(0o600)

    def full(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)

    with pytest.raises(EnvFileError, match="No space left") as caught:
        envfile.write(path, "NEW=2\n", envfile.Owner())

    assert caught.value.exit_code == 73
    assert "free space" in str(caught.value)
    assert path.read_text() == "OLD=1\n"
    assert [entry.name for entry in tmp_path.iterdir()] == [".env"]


def test_bare_file_name_is_written_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`.env` with no folder part means the current directory."""
    monkeypatch.chdir(tmp_path)
    tmp_path.chmod(0o700)

    envfile.write(".env", "A=1\n", envfile.Owner())

    assert (tmp_path / ".env").read_text() == "A=1\n"


def test_failure_removes_a_directory_it_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failed first write leaves no empty .env directory behind."""

    def full(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)

    with pytest.raises(EnvFileError):
        envfile.write(tmp_path / "run" / ".env", "A=1\n", envfile.Owner())

    assert not (tmp_path / "run").exists()


def test_remove_reports_whether_a_file_was_there(tmp_path: Path) -> None:
    """remove() deletes the file once and is quiet the second time."""
    path = tmp_path / ".env"
    path.write_text("A=1\n")

    assert envfile.remove(path) is True
    assert envfile.remove(path) is False
