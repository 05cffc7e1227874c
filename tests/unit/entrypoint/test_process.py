"""Finding the command and preparing what it inherits."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from entrypoint import process
from entrypoint.errors import CommandNotExecutableError, CommandNotFoundError


def make(path: Path, mode: int) -> Path:
    path.write_text("#!/bin/sh\n")
    path.chmod(mode)
    return path


def test_finds_the_first_executable_on_path(tmp_path: Path) -> None:
    """PATH is searched in order, skipping files that are not executable."""
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    make(first / "tool", 0o644)
    wanted = make(second / "tool", 0o755)

    assert process.find("tool", f"{first}:{second}") == str(wanted)


def test_missing_command_is_127(tmp_path: Path) -> None:
    """A name found nowhere on PATH is 'not found'."""
    with pytest.raises(CommandNotFoundError, match="'nope' was not found") as caught:
        process.find("nope", str(tmp_path))

    assert caught.value.exit_code == 127


def test_non_executable_command_is_126(tmp_path: Path) -> None:
    """A file that exists but cannot be run is 'not executable'."""
    make(tmp_path / "tool", 0o644)

    with pytest.raises(CommandNotExecutableError) as caught:
        process.find("tool", str(tmp_path))

    assert caught.value.exit_code == 126


def test_path_with_slash_is_taken_as_is(tmp_path: Path) -> None:
    """`./server` or `/usr/bin/server` skip the PATH search."""
    tool = make(tmp_path / "tool", 0o755)

    assert process.find(str(tool), "/nonexistent") == str(tool)
    with pytest.raises(CommandNotFoundError):
        process.find(str(tmp_path / "absent"), None)
    with pytest.raises(CommandNotExecutableError):
        process.find(str(tmp_path), None)


def test_child_environment_removes_then_adds() -> None:
    """Removed keys are gone; added keys win over inherited ones."""
    child = process.child_environment(
        {"KEEP": "1", "SECRET": "s", "HOME": "/root"},
        remove=["SECRET", "ABSENT"],
        add={"HOME": "/home/app", "ENV_FILE": "/run/app/.env"},
    )

    assert child == {"KEEP": "1", "HOME": "/home/app", "ENV_FILE": "/run/app/.env"}


def test_reset_signals_restores_defaults_and_empties_the_mask() -> None:
    """Python's ignored SIGPIPE/SIGXFSZ and any inherited ignore are undone."""
    watched = (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGHUP, signal.SIGINT)
    previous = {number: signal.getsignal(number) for number in watched}
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])
    try:
        process.reset_signals()

        assert all(signal.getsignal(number) == signal.SIG_DFL for number in watched)
        assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == set()
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
