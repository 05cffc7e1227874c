"""The child starts clean: default signals, dropped privileges, the terminal.

Each check reads what the kernel reports for the exec'd child itself, from
/proc/self/status printed by a shell builtin loop.
"""

from __future__ import annotations

import os
import pty
import signal
from typing import TYPE_CHECKING

import pytest
from cli_harness import SYSTEM_PYTHON
from support import commands

from .conftest import STATUS_PROBE

if TYPE_CHECKING:
    from .conftest import Space

pytestmark = pytest.mark.root

NO_SIGNALS = "0" * 16
NO_CAPABILITIES = "0" * 16
NOBODY = 65534
FOREGROUND_PROBE = (
    SYSTEM_PYTHON,
    "-c",
    "import os; print('foreground', os.tcgetpgrp(0) == os.getpgrp())",
)


def test_child_has_no_ignored_or_blocked_signals(space: Space) -> None:
    """SigIgn and SigBlk are clear although the entrypoint inherited both."""
    masked = space.helper("masked.py")

    result = space.run(*STATUS_PROBE, inner=masked).expect(0)
    status = result.status()

    assert status["SigIgn"] == NO_SIGNALS, result
    assert status["SigBlk"] == NO_SIGNALS, result


def _mask(*numbers: signal.Signals) -> int:
    """A /proc/PID/status signal set with `numbers` in it."""
    return sum(1 << (number - 1) for number in numbers)


def test_masked_wrapper_really_ignores_and_blocks(space: Space) -> None:
    """Guard for the test above: the wrapper passes its signal state on."""
    ignored = _mask(signal.SIGHUP, signal.SIGINT, signal.SIGQUIT, signal.SIGUSR1)
    blocked = _mask(signal.SIGUSR2, signal.SIGTERM)
    argv = [*space.helper("masked.py"), *STATUS_PROBE]

    completed = commands.run(argv, timeout=20)
    fields = dict(line.split(":\t", 1) for line in completed.lines() if ":\t" in line)

    assert int(fields["SigIgn"], 16) & ignored == ignored, completed
    assert int(fields["SigBlk"], 16) & blocked == blocked, completed


def test_child_drops_privileges_as_in_exec_mode(space: Space) -> None:
    """--user nobody: ids 65534 four times, no new privileges, no capabilities."""
    result = space.run(*STATUS_PROBE, user="nobody").expect(0)
    status = result.status()

    assert status["Uid"].split() == [str(NOBODY)] * 4, result
    assert status["Gid"].split() == [str(NOBODY)] * 4, result
    assert status["Groups"].split() == [str(NOBODY)], result
    assert status["NoNewPrivs"] == "1", result
    assert status["CapEff"] == NO_CAPABILITIES, result
    assert status["CapPrm"] == NO_CAPABILITIES, result
    assert result.event("privileges.dropped")["uid"] == NOBODY, result


def test_env_file_belongs_to_the_dropped_user_and_parent_removes_it(
    space: Space,
) -> None:
    """The child, as nobody, owns its 0600 .env; root removes it at the end."""
    script = 'stat -c "%u %a" "$ENV_FILE"; id -u'

    result = space.run("/bin/sh", "-c", script, user="nobody").expect(0)

    assert result.lines() == [f"{NOBODY} 600", str(NOBODY)], result
    assert not space.env_file.exists(), result


def test_child_becomes_the_terminal_foreground_group(space: Space) -> None:
    """With a terminal on stdin, the child's own group is in the foreground.

    The terminal is made the controlling one of the session `unshare` and the
    entrypoint run in, as for PID 1 of a `docker run -t` container.
    """
    controller, terminal = pty.openpty()
    try:
        supervised = space.start(
            *FOREGROUND_PROBE, outer=space.helper("terminal.py"), stdin=terminal
        )
        result = supervised.finish()
    finally:
        os.close(controller)
        os.close(terminal)

    result.expect(0)
    assert result.lines() == ["foreground True"], result
