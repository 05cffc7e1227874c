"""The .env exists while the child runs and is gone once it has exited.

A restarted container must never find an old .env, whatever way the child
ended. Each child first checks that the file is there, so that its absence
afterwards means it was removed.
"""

from __future__ import annotations

import signal
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .conftest import Space

pytestmark = pytest.mark.root

CHECK_PRESENT = 'test -f "$ENV_FILE" && echo present; '


@pytest.mark.parametrize(
    ("ending", "code"),
    [
        ("exit 0", 0),
        ("exit 3", 3),
        ("kill -TERM $$", 143),
        ("kill -KILL $$", 137),
    ],
    ids=["success", "failure", "term-death", "kill-death"],
)
def test_env_file_is_removed_after_child_exits(
    space: Space, ending: str, code: int
) -> None:
    """Exit 0, a non-zero exit or a signal death: the .env is removed."""
    result = space.run("/bin/sh", "-c", CHECK_PRESENT + ending)

    result.expect(code)
    assert result.lines() == ["present"], result
    assert not space.env_file.exists(), result
    assert result.event("envfile.removed")["env_file"] == str(space.env_file)


def test_env_file_is_removed_after_forwarded_term(space: Space) -> None:
    """`docker stop`: SIGTERM to PID 1 ends the child, then the .env goes."""
    supervised = space.start("/bin/sh", "-c", CHECK_PRESENT + "exec sleep 30")
    supervised.wait_for("present")

    supervised.send(signal.SIGTERM)
    result = supervised.finish()

    result.expect(143)
    assert not space.env_file.exists(), result


def test_env_file_is_removed_when_the_command_cannot_start(space: Space) -> None:
    """An exec failure after the fork still leaves no .env behind.

    The program exists but only root may run it, so the lookup before the
    fork succeeds and the exec as nobody fails.
    """
    program = space.root / "root-only"
    program.write_text("#!/bin/sh\nexit 0\n")
    program.chmod(0o700)

    result = space.run(str(program))

    result.expect(126)
    assert not space.env_file.exists(), result


def test_entrypoint_init_variable_selects_init_mode(space: Space) -> None:
    """ENTRYPOINT_INIT=1 without --init: resident, and the .env removed."""
    result = space.run(
        "/bin/sh",
        "-c",
        CHECK_PRESENT + "exit 0",
        init=False,
        env={"ENTRYPOINT_INIT": "1"},
    )

    result.expect(0)
    assert result.event("command.started")["mode"] == "init", result
    assert not space.env_file.exists(), result


def test_exec_mode_leaves_the_env_file(space: Space) -> None:
    """Guard for the tests above: without init mode nobody removes the file."""
    result = space.run("/bin/sh", "-c", CHECK_PRESENT + "exit 0", init=False)

    result.expect(0)
    assert space.env_file.exists(), result
