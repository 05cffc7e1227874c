"""Started as a non-root user (an image with USER set): no drop, or a refusal.

The entrypoint runs as nobody:nogroup through setpriv, from world-readable
copies of its package and structlog, with Debian's python.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from cli_harness import STATUS_PROBE
from dotenv import dotenv_values

if TYPE_CHECKING:
    from cli_harness import Accounts, Runner, Workspace

pytestmark = pytest.mark.root

NOBODY = 65534


@pytest.fixture
def env_file(workspace: Workspace) -> Path:
    """A .env path inside a directory that belongs to nobody."""
    home = workspace.root / "nobody-home"
    home.mkdir(mode=0o700)
    os.chown(home, NOBODY, NOBODY)
    return home / "app" / ".env"


def _ids(line: str) -> list[int]:
    return [int(word) for word in line.split()]


def test_without_a_user_it_runs_the_command_as_itself(
    run_as_nobody: Runner, workspace: Workspace, env_file: Path
) -> None:
    """No --user: the child is nobody, locked with no_new_privs."""
    workspace.secret("api_token", "t0ken")

    result = run_as_nobody(*STATUS_PROBE, env={"ENTRYPOINT_ENV_FILE": str(env_file)})
    status = result.expect(0).status()

    assert _ids(status["Uid"]) == [NOBODY] * 4, str(result)
    assert _ids(status["Gid"]) == [NOBODY] * 4, str(result)
    assert status["NoNewPrivs"] == "1", str(result)
    assert dotenv_values(env_file) == {"API_TOKEN": "t0ken"}


def test_without_a_drop_the_child_still_gets_default_signals(
    run_as_nobody: Runner, workspace: Workspace, env_file: Path
) -> None:
    """Python's ignored SIGPIPE and SIGXFSZ are reset on this path too."""
    result = run_as_nobody(*STATUS_PROBE, env={"ENTRYPOINT_ENV_FILE": str(env_file)})
    status = result.expect(0).status()

    assert int(status["SigIgn"], 16) == 0, str(result)
    assert int(status["SigBlk"], 16) == 0, str(result)


def test_env_file_written_as_non_root_is_private(
    run_as_nobody: Runner, workspace: Workspace, env_file: Path
) -> None:
    """Mode 0600 in a 0700 directory, both nobody's."""
    workspace.secret("api_token", "t0ken")

    result = run_as_nobody(
        *workspace.touch(), env={"ENTRYPOINT_ENV_FILE": str(env_file)}
    )
    file_info = env_file.lstat()
    directory_info = env_file.parent.lstat()

    result.expect(0)
    assert stat.S_IMODE(file_info.st_mode) == 0o600
    assert file_info.st_uid == NOBODY
    assert stat.S_IMODE(directory_info.st_mode) == 0o700
    assert directory_info.st_uid == NOBODY


@pytest.mark.parametrize("spec", ["nobody", "65534", "nobody:nogroup"])
def test_naming_the_current_user_proceeds(
    run_as_nobody: Runner, workspace: Workspace, env_file: Path, spec: str
) -> None:
    """--user naming who the process already is needs no privilege."""
    result = run_as_nobody(
        "--user",
        spec,
        *STATUS_PROBE,
        env={"ENTRYPOINT_ENV_FILE": str(env_file)},
    )

    assert _ids(result.expect(0).status()["Uid"]) == [NOBODY] * 4, str(result)


@pytest.mark.parametrize("role", ["root", "0", "member", "daemon"])
def test_asking_to_become_someone_else_is_refused(
    run_as_nobody: Runner,
    workspace: Workspace,
    env_file: Path,
    accounts: Accounts,
    role: str,
) -> None:
    """A non-root process cannot switch users: 77, nothing written or started."""
    spec = accounts.member.name if role == "member" else role

    result = run_as_nobody(
        "--user", spec, *workspace.touch(), env={"ENTRYPOINT_ENV_FILE": str(env_file)}
    )

    result.expect(77)
    assert not workspace.marker.exists(), str(result)
    assert not env_file.parent.exists(), str(result)


@pytest.mark.parametrize("spec", ["nobody:root", "65534:0"])
def test_asking_for_another_group_is_refused(
    run_as_nobody: Runner, workspace: Workspace, env_file: Path, spec: str
) -> None:
    """The right user with a group it cannot take is still someone else: 77.

    Proceeding would run the command with a gid other than the one asked for.
    """
    result = run_as_nobody(
        "--user", spec, *workspace.touch(), env={"ENTRYPOINT_ENV_FILE": str(env_file)}
    )

    result.expect(77)
    assert not workspace.marker.exists(), str(result)
    assert not env_file.parent.exists(), str(result)


def test_unknown_user_as_non_root(
    run_as_nobody: Runner, workspace: Workspace, env_file: Path
) -> None:
    """An unknown user is 67 whoever asks."""
    result = run_as_nobody(
        "--user",
        "sectest-no-such-user",
        *workspace.touch(),
        env={"ENTRYPOINT_ENV_FILE": str(env_file)},
    )

    result.expect(67)
    assert not workspace.marker.exists(), str(result)


def test_secret_file_unreadable_by_the_user(
    run_as_nobody: Runner, workspace: Workspace, env_file: Path
) -> None:
    """A root-only 0400 secret cannot be read by nobody: 78, naming the file."""
    secret = workspace.secret("api_token", "t0ken")
    secret.chmod(0o400)

    result = run_as_nobody(
        *workspace.touch(), env={"ENTRYPOINT_ENV_FILE": str(env_file)}
    )

    result.expect(78)
    assert str(secret) in result.stderr, str(result)
    assert not workspace.marker.exists(), str(result)
    assert not env_file.parent.exists(), str(result)
