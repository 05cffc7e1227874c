"""The development folder and its files: modes from creation, no clobbering."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from secretsctl.generate.files import (
    SecretFileError,
    existing,
    prepare_folder,
    write_secret,
)


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that would leave new files world-readable if the code relied on it."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int, int]]:
    """Record every os.open call: path, flags and mode."""
    calls: list[tuple[str, int, int]] = []
    real_open = os.open

    def recording_open(path: Any, flags: int, mode: int = 0o777, **kwargs: Any) -> int:
        calls.append((os.fspath(path), flags, mode))
        return real_open(path, flags, mode, **kwargs)

    monkeypatch.setattr(os, "open", recording_open)
    return calls


@pytest.mark.usefixtures("open_umask")
def test_new_folder_is_0700_even_with_a_permissive_umask(tmp_path: Path) -> None:
    """The mode does not depend on the caller's umask."""
    folder = tmp_path / "config" / "secrets" / "development"

    tightened = prepare_folder(folder)

    assert mode(folder) == 0o700
    assert not tightened


def test_existing_loose_folder_is_tightened(tmp_path: Path) -> None:
    """A folder others can read is set to 0700, and the caller is told."""
    folder = tmp_path / "dev"
    folder.mkdir()
    folder.chmod(0o755)

    assert prepare_folder(folder)
    assert mode(folder) == 0o700


def test_symlinked_folder_is_refused(tmp_path: Path) -> None:
    """A link could point anywhere, e.g. into a tracked or shared folder."""
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")

    with pytest.raises(SecretFileError, match="not a plain directory"):
        prepare_folder(tmp_path / "link")


@pytest.mark.usefixtures("open_umask")
def test_file_is_created_0600_exclusively(
    tmp_path: Path, opened: list[tuple[str, int, int]]
) -> None:
    """os.open gets O_CREAT|O_EXCL|O_NOFOLLOW and mode 0600: no window at 0644."""
    path = tmp_path / "jwt_secret"

    write_secret(path, "value-1", replace=False)

    assert path.read_text() == "value-1"
    assert mode(path) == 0o600
    [(opened_path, flags, created_mode)] = opened
    assert opened_path == str(path)
    assert flags & os.O_CREAT
    assert flags & os.O_EXCL
    assert flags & os.O_NOFOLLOW
    assert created_mode == 0o600


def test_existing_file_is_not_overwritten(tmp_path: Path) -> None:
    """Without replace, an existing file keeps its content and the error says so."""
    path = tmp_path / "jwt_secret"
    path.write_text("keep me")

    with pytest.raises(SecretFileError) as caught:
        write_secret(path, "new", replace=False)

    assert path.read_text() == "keep me"
    assert str(path) in caught.value.message
    assert "--force" in str(caught.value.hint)


def test_replace_swaps_in_a_new_0600_file(
    tmp_path: Path, opened: list[tuple[str, int, int]]
) -> None:
    """The new value is written to a 0600 temporary file and renamed over."""
    path = tmp_path / "jwt_secret"
    path.write_text("old")
    path.chmod(0o644)

    write_secret(path, "new", replace=True)

    assert path.read_text() == "new"
    assert mode(path) == 0o600
    assert [created_mode for _, _, created_mode in opened] == [0o600]
    assert sorted(os.listdir(tmp_path)) == ["jwt_secret"]


def test_replace_does_not_follow_a_symlink(tmp_path: Path) -> None:
    """Replacing a link replaces the link, never the file it points to."""
    victim = tmp_path / "victim"
    victim.write_text("untouched")
    path = tmp_path / "jwt_secret"
    path.symlink_to(victim)

    write_secret(path, "new", replace=True)

    assert victim.read_text() == "untouched"
    assert not path.is_symlink()
    assert path.read_text() == "new"


def test_existing_lists_dangling_links_too(tmp_path: Path) -> None:
    """A dangling link still occupies the name, so it counts as existing."""
    (tmp_path / "present").write_text("x")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")

    found = existing([tmp_path / "present", tmp_path / "dangling", tmp_path / "no"])

    assert found == [tmp_path / "present", tmp_path / "dangling"]
