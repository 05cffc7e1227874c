"""Noticing changes in the secrets directory."""

from __future__ import annotations

import os
from pathlib import Path

from entrypoint.watch import Watcher, fingerprint


def test_unchanged_directory_reports_no_change(tmp_path: Path) -> None:
    """Polling twice without a change is quiet."""
    (tmp_path / "key").write_text("v1")
    watcher = Watcher(tmp_path, lambda: True)

    assert watcher.changed() is False


def test_rewritten_file_is_a_change_reported_once(tmp_path: Path) -> None:
    """A new size or mtime is a change; the next poll is quiet again."""
    path = tmp_path / "key"
    path.write_text("v1")
    watcher = Watcher(tmp_path, lambda: True)
    path.write_text("version 2")

    assert watcher.changed() is True
    assert watcher.changed() is False


def test_kubernetes_link_swap_is_a_change(tmp_path: Path) -> None:
    """Swapping `..data` to a new timestamped folder changes the fingerprint."""
    for folder, value in (("..t1", "one"), ("..t2", "two")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "key").write_text(value)
    (tmp_path / "..data").symlink_to("..t1")
    (tmp_path / "key").symlink_to("..data/key")
    before = fingerprint(tmp_path)

    (tmp_path / "..data_tmp").symlink_to("..t2")
    os.replace(tmp_path / "..data_tmp", tmp_path / "..data")

    assert fingerprint(tmp_path) != before


def test_missing_directory_has_an_empty_fingerprint(tmp_path: Path) -> None:
    """A directory that vanished is a state, not an error."""
    assert fingerprint(tmp_path / "absent") == ()
