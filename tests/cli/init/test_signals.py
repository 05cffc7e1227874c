"""Signals sent to the entrypoint reach the child, or its whole group.

The signals are sent from outside the namespace to the entrypoint's own
process, PID 1 inside: the kernel drops signals for a namespace's init that
it neither handles nor blocks, so this also checks that none is lost.
"""

from __future__ import annotations

import signal
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .conftest import Space

pytestmark = pytest.mark.root

NOT_FORWARDED = {signal.SIGKILL, signal.SIGSTOP, signal.SIGCHLD}
FORWARDED = [
    pytest.param(number, id=signal.Signals(number).name)
    for number in range(1, 32)
    if number not in NOT_FORWARDED
]


@pytest.mark.parametrize("number", FORWARDED)
def test_signal_to_entrypoint_reaches_child(space: Space, number: int) -> None:
    """The child reports the signal, then exits 0, and so does the entrypoint."""
    supervised = space.start(*space.helper("signals.py", "child", "1"))
    supervised.wait_for("child ready")

    supervised.send(number)
    result = supervised.finish()

    result.expect(0)
    assert result.lines() == ["child ready", f"child got {number}"], result


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT, signal.SIGUSR1])
def test_signal_to_entrypoint_reaches_grandchild_in_the_group(
    space: Space, number: int
) -> None:
    """Forwarding goes to the child's process group, grandchildren included."""
    supervised = space.start(*space.helper("family.py", "group"))
    supervised.wait_for("child ready")
    supervised.wait_for("grandchild ready")

    supervised.send(number)
    result = supervised.finish()

    result.expect(0)
    assert f"child got {number}" in result.lines(), result
    assert f"grandchild got {number}" in result.lines(), result


@pytest.mark.parametrize(
    ("options", "env"),
    [
        (["--single-child"], {}),
        ([], {"ENTRYPOINT_SINGLE_CHILD": "1"}),
    ],
    ids=["flag", "variable"],
)
def test_single_child_forwards_to_child_only(
    space: Space, options: list[str], env: dict[str, str]
) -> None:
    """The grandchild misses SIGUSR1 but still hears the SIGTERM sweep.

    The SIGTERM sent when the child has exited shows that the grandchild was
    alive and listening, so the missing SIGUSR1 line means something.
    """
    supervised = space.start(
        *space.helper("family.py", "group"), options=options, env=env
    )
    supervised.wait_for("child ready")
    supervised.wait_for("grandchild ready")

    supervised.send(signal.SIGUSR1)
    result = supervised.finish()

    result.expect(0)
    assert "child got 10" in result.lines(), result
    assert "grandchild got 10" not in result.lines(), result
    assert "grandchild got 15" in result.lines(), result


def test_forwarded_signal_is_logged_at_debug_level(space: Space) -> None:
    """Each forwarded signal shows up as a `signal.forwarded` debug event."""
    supervised = space.start(
        *space.helper("signals.py", "child", "1"),
        env={"ENTRYPOINT_LOG_LEVEL": "debug"},
    )
    supervised.wait_for("child ready")

    supervised.send(signal.SIGUSR2)
    result = supervised.finish()

    result.expect(0)
    assert result.event("signal.forwarded")["signal"] == "SIGUSR2", result
