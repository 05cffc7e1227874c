"""Init mode reports the main child's exit code, or 128+N for a signal death.

The entrypoint runs as PID 1 of its own PID namespace; `unshare --fork`
passes PID 1's exit code on, so what the test sees is what a container
runtime would see.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .conftest import Space

pytestmark = pytest.mark.root

# A shell that gracefully handles SIGTERM and then dies of it again, as
# uvicorn does after a clean shutdown under `docker stop`.
RERAISES_TERM = (
    "/bin/sh",
    "-c",
    "trap 'trap - TERM; kill -TERM $$' TERM; echo ready; while :; do sleep 0.1; done",
)


@pytest.mark.parametrize("code", [0, 1, 2, 32, 64, 127, 254, 255])
def test_child_exit_code_passes_through(space: Space, code: int) -> None:
    """The entrypoint exits with the child's code, which it also logs."""
    result = space.run("/bin/sh", "-c", f"exit {code}")

    result.expect(code)
    assert result.event("command.exited")["exit_code"] == code, result


@pytest.mark.parametrize(
    ("name", "code"),
    [("TERM", 143), ("HUP", 129), ("QUIT", 131), ("KILL", 137)],
)
def test_child_killed_by_signal_gives_128_plus_signal_number(
    space: Space, name: str, code: int
) -> None:
    """A child that kills itself yields the shell's 128+N, never a negative code."""
    result = space.run("/bin/sh", "-c", f"ulimit -c 0; kill -{name} $$")

    result.expect(code)
    assert result.event("command.exited")["exit_code"] == code, result


def test_success_exit_reports_143_as_zero(space: Space) -> None:
    """--success-exit 143 turns a SIGTERM death into success."""
    result = space.run(
        "/bin/sh", "-c", "kill -TERM $$", options=["--success-exit", "143"]
    )

    result.expect(0)


def test_success_exit_is_repeatable(space: Space) -> None:
    """Each --success-exit adds a code: both 3 and 143 then read as 0."""
    options = ["--success-exit", "3", "--success-exit", "143"]

    three = space.run("/bin/sh", "-c", "exit 3", options=options)
    term = space.run("/bin/sh", "-c", "kill -TERM $$", options=options)

    three.expect(0)
    term.expect(0)


def test_success_exit_variable_takes_a_comma_separated_list(space: Space) -> None:
    """ENTRYPOINT_SUCCESS_EXIT=3,143 does what two flags do."""
    env = {"ENTRYPOINT_SUCCESS_EXIT": "3,143"}

    three = space.run("/bin/sh", "-c", "exit 3", env=env)
    term = space.run("/bin/sh", "-c", "kill -TERM $$", env=env)

    three.expect(0)
    term.expect(0)


def test_success_exit_leaves_other_codes_alone(space: Space) -> None:
    """Only the listed codes become 0: exit 4 stays 4 under --success-exit 143."""
    result = space.run("/bin/sh", "-c", "exit 4", options=["--success-exit", "143"])

    result.expect(4)


def test_without_success_exit_a_term_death_stays_143(space: Space) -> None:
    """The default keeps the usual 128+N."""
    result = space.run("/bin/sh", "-c", "kill -TERM $$")

    result.expect(143)


@pytest.mark.parametrize(
    ("options", "code"), [([], 143), (["--success-exit", "143"], 0)]
)
def test_stop_of_a_server_that_reraises_term(
    space: Space, options: list[str], code: int
) -> None:
    """SIGTERM to PID 1 reaches a server that re-raises it: 143, or 0 if asked.

    This is `docker stop` against uvicorn, with a shell standing in for it.
    """
    supervised = space.start(*RERAISES_TERM, options=options)
    supervised.wait_for("ready")

    supervised.send(15)
    result = supervised.finish()

    result.expect(code)
    assert result.event("command.exited")["exit_code"] == 143, result
