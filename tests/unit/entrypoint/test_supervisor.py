"""Pieces of init mode that need no PID namespace; tests/cli/init runs it whole."""

from __future__ import annotations

import os
import signal

import pytest

from entrypoint.supervisor import _exit_code


@pytest.mark.parametrize("code", [0, 1, 2, 32, 64, 127, 254, 255])
def test_exit_status_passes_through(code: int) -> None:
    """A child that exits with N gives N."""
    pid = os.fork()
    if pid == 0:
        os._exit(code)
    _, status = os.waitpid(pid, 0)

    assert _exit_code(status) == code


@pytest.mark.parametrize(
    ("number", "code"),
    [(signal.SIGTERM, 143), (signal.SIGHUP, 129), (signal.SIGKILL, 137)],
)
def test_death_by_signal_is_128_plus_n(number: int, code: int) -> None:
    """Not Python's negative return code: the shell's 128+N."""
    pid = os.fork()
    if pid == 0:
        try:
            signal.pthread_sigmask(signal.SIG_SETMASK, [])
            os.kill(os.getpid(), number)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)

    assert _exit_code(status) == code
