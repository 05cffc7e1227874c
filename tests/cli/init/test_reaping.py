"""Orphans are reaped, and what is left of the child's group is swept away.

Reaping is checked by the child itself: it leaves orphans behind, lets them
exit, and reports how many stayed zombies (see helpers/family.py).
"""

from __future__ import annotations

import signal
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .conftest import Result, Space

pytestmark = pytest.mark.root

ORPHANS = 100


def _report(result: Result) -> dict[str, int]:
    """The child's "orphans=N adopted=A zombies=Z alive=L" line as numbers."""
    lines = [line for line in result.lines() if line.startswith("orphans=")]
    assert len(lines) == 1, f"the child printed no orphan report\n{result}"
    pairs = (word.partition("=") for word in lines[0].split())
    return {name: int(value) for name, _, value in pairs}


def test_pid1_reaps_short_lived_orphans(space: Space) -> None:
    """As PID 1, the entrypoint adopts and reaps 100 orphans: no zombie is left."""
    result = space.run(*space.helper("family.py", "orphans", str(ORPHANS)))

    result.expect(0)
    assert _report(result) == {
        "orphans": ORPHANS,
        "adopted": ORPHANS,
        "zombies": 0,
        "alive": 0,
    }, result


def test_pid1_does_not_register_as_subreaper(space: Space) -> None:
    """PID 1 adopts orphans anyway, so it does not claim to be a subreaper."""
    result = space.run("/bin/true", env={"ENTRYPOINT_LOG_LEVEL": "debug"})

    result.expect(0)
    assert "init.subreaper" not in [event.get("event") for event in result.events()]


def test_not_pid1_registers_as_subreaper_and_reaps_orphans(space: Space) -> None:
    """Without a namespace, orphans go to the entrypoint all the same.

    The other PID 1 would reap them too, so `adopted` is what proves that the
    entrypoint became their parent.
    """
    result = space.run(
        *space.helper("family.py", "orphans", str(ORPHANS)),
        namespace=False,
        env={"ENTRYPOINT_LOG_LEVEL": "debug"},
    )

    result.expect(0)
    assert result.event("init.subreaper")["level"] == "debug", result
    assert _report(result) == {
        "orphans": ORPHANS,
        "adopted": ORPHANS,
        "zombies": 0,
        "alive": 0,
    }, result


@pytest.mark.parametrize(
    ("options", "env"),
    [(["--grace", "1"], {}), ([], {"ENTRYPOINT_GRACE": "1"})],
    ids=["flag", "variable"],
)
def test_grandchild_ignoring_term_is_killed_after_grace(
    space: Space, options: list[str], env: dict[str, str]
) -> None:
    """SIGTERM first, SIGKILL after the 1 s grace; the exit code is the child's.

    The bounds are about behaviour, not speed: at least about the grace
    period, and well short of the 5 s default.
    """
    supervised = space.start(
        *space.helper("family.py", "stubborn", "3"), options=options, env=env
    )
    child_exited = supervised.wait_for("child exiting 3")

    result = supervised.finish()
    elapsed = result.ended - child_exited

    result.expect(3)
    assert "stubborn got 15" in result.lines(), result
    assert 0.9 <= elapsed < 4.0, f"the sweep took {elapsed:.2f} s\n{result}"
    assert result.event("command.group_killed")["grace"] == 1.0, result


def test_sweep_ends_as_soon_as_the_group_is_gone(space: Space) -> None:
    """A grandchild that obeys SIGTERM does not make the entrypoint wait 5 s."""
    supervised = space.start(
        *space.helper("family.py", "group"), options=["--single-child"]
    )
    supervised.wait_for("grandchild ready")
    supervised.wait_for("child ready")

    supervised.send(signal.SIGUSR1)
    child_done = supervised.wait_for("child got 10")
    result = supervised.finish()
    elapsed = result.ended - child_done

    result.expect(0)
    assert "grandchild got 15" in result.lines(), result
    assert elapsed < 2.5, f"the sweep took {elapsed:.2f} s\n{result}"
    assert "command.group_killed" not in [e.get("event") for e in result.events()]
