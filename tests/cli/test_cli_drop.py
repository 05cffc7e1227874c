"""Root drops to the target user for good before the command starts.

The child is a shell that prints its own /proc/self/status, so every check
reads what the kernel says about the exec'd process itself.
"""

from __future__ import annotations

import grp
import os
import pwd
import signal
import stat
from typing import TYPE_CHECKING

import pytest
from cli_harness import STATUS_PROBE

if TYPE_CHECKING:
    from cli_harness import Account, Accounts, Runner, Workspace

pytestmark = pytest.mark.root

NO_CAPABILITIES = "0" * 16


def _ids(line: str) -> list[int]:
    return [int(word) for word in line.split()]


def _ignore_and_block_signals() -> None:
    """What nohup or a careless shell script hands down to the entrypoint."""
    signal.signal(signal.SIGUSR2, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1, signal.SIGTERM})


def _unused_id() -> int:
    for candidate in range(54321, 60000):
        try:
            pwd.getpwuid(candidate)
            continue
        except KeyError:
            pass
        try:
            grp.getgrgid(candidate)
        except KeyError:
            return candidate
    raise AssertionError("no unused uid/gid between 54321 and 60000")


@pytest.fixture(params=["nobody", "member"])
def target(request: pytest.FixtureRequest, accounts: Accounts) -> Account:
    """nobody, and a test user who belongs to many supplementary groups."""
    return accounts.by_role(request.param)


def test_drop_sets_real_effective_saved_and_fs_ids(
    run: Runner, workspace: Workspace, target: Account
) -> None:
    """The Uid and Gid lines show the target's id four times over."""
    result = run("--user", target.name, "--", *STATUS_PROBE).expect(0)
    status = result.status()

    assert _ids(status["Uid"]) == [target.uid] * 4, str(result)
    assert _ids(status["Gid"]) == [target.gid] * 4, str(result)


def test_drop_sets_exactly_the_users_groups(
    run: Runner, workspace: Workspace, target: Account, accounts: Accounts
) -> None:
    """The child has the user's groups, and none of root's (0 and the canary)."""
    result = run("--user", target.name, "--", *STATUS_PROBE).expect(0)
    groups = _ids(result.status()["Groups"])

    assert sorted(groups) == sorted(target.groups), str(result)
    assert 0 not in groups
    assert accounts.canary_gid not in groups


def test_many_groups_user_really_has_many_groups(accounts: Accounts) -> None:
    """Guard for the fixture: the group test is only worth something if so."""
    member = accounts.member

    assert len(member.groups) == 21
    assert accounts.canary_gid not in member.groups


def test_canary_groups_reach_a_child_that_stays_root(
    run: Runner, accounts: Accounts
) -> None:
    """Guard for the canary: without a drop, root's groups do show in the child."""
    result = run("--allow-root", "--", *STATUS_PROBE).expect(0)

    assert set(_ids(result.status()["Groups"])) == {0, accounts.canary_gid}


def test_drop_leaves_no_capabilities_and_sets_no_new_privs(
    run: Runner, workspace: Workspace, target: Account
) -> None:
    """CapEff, CapPrm and CapAmb are empty and NoNewPrivs is 1."""
    result = run("--user", target.name, "--", *STATUS_PROBE).expect(0)
    status = result.status()

    assert status["CapEff"] == NO_CAPABILITIES, str(result)
    assert status["CapPrm"] == NO_CAPABILITIES, str(result)
    assert status["CapAmb"] == NO_CAPABILITIES, str(result)
    assert status["NoNewPrivs"] == "1", str(result)


def test_child_starts_with_default_signal_dispositions_and_empty_mask(
    run: Runner, workspace: Workspace, target: Account
) -> None:
    """Python's ignored SIGPIPE/SIGXFSZ and the caller's ignores and mask are gone."""
    result = run(
        "--user",
        target.name,
        "--",
        *STATUS_PROBE,
        preexec_fn=_ignore_and_block_signals,
    ).expect(0)
    status = result.status()

    assert int(status["SigIgn"], 16) == 0, str(result)
    assert int(status["SigBlk"], 16) == 0, str(result)


def test_child_keeps_the_callers_working_directory(
    run: Runner, workspace: Workspace, target: Account
) -> None:
    """The command runs where the entrypoint was started, not in HOME or /."""
    elsewhere = workspace.root / "elsewhere"
    elsewhere.mkdir(mode=0o755)

    result = run("--user", target.name, "--", *STATUS_PROBE, cwd=elsewhere).expect(0)

    assert result.status()["Cwd"] == str(elsewhere), str(result)


def test_env_file_is_0600_in_a_0700_directory_both_owned_by_the_target(
    run: Runner, workspace: Workspace, target: Account
) -> None:
    """The entrypoint creates the directory and the file for the target alone."""
    workspace.secret("api_token", "t0ken")

    run("--user", target.name, "--", *workspace.touch()).expect(0)
    file_info = workspace.env_file.lstat()
    directory_info = workspace.env_file.parent.lstat()

    assert stat.S_ISREG(file_info.st_mode)
    assert stat.S_IMODE(file_info.st_mode) == 0o600
    assert (file_info.st_uid, file_info.st_gid) == (target.uid, target.gid)
    assert stat.S_ISDIR(directory_info.st_mode)
    assert stat.S_IMODE(directory_info.st_mode) == 0o700
    assert (directory_info.st_uid, directory_info.st_gid) == (target.uid, target.gid)


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o077], ids=oct)
def test_env_file_modes_do_not_depend_on_the_umask(
    run: Runner, workspace: Workspace, umask: int
) -> None:
    """A permissive or a strict umask still gives exactly 0600 and 0700."""
    workspace.secret("api_token", "t0ken")

    result = run(
        "--user", "nobody", *workspace.touch(), preexec_fn=lambda: os.umask(umask)
    )

    result.expect(0)
    assert stat.S_IMODE(workspace.env_file.lstat().st_mode) == 0o600
    assert stat.S_IMODE(workspace.env_file.parent.lstat().st_mode) == 0o700


def test_child_can_read_its_env_file(
    run: Runner, workspace: Workspace, target: Account
) -> None:
    """After the drop the command opens ENV_FILE itself."""
    workspace.secret("api_token", "t0ken")

    result = run("--user", target.name, "--", "/bin/sh", "-c", 'cat "$ENV_FILE"')

    assert result.expect(0).stdout == 'API_TOKEN="t0ken"\n', str(result)


def test_existing_root_owned_env_directory_ends_up_private_to_the_target(
    run: Runner, workspace: Workspace, accounts: Accounts
) -> None:
    """A directory made by the image (root, 0700) must still let the server in.

    The specification wants the .env in a 0700 directory owned by the target
    user; a directory created in the Dockerfile is the common case.
    """
    workspace.env_file.parent.mkdir(mode=0o700)
    workspace.secret("api_token", "t0ken")

    result = run("--user", "nobody", "--", "/bin/sh", "-c", 'cat "$ENV_FILE"')
    directory_info = workspace.env_file.parent.lstat()

    assert result.expect(0).stdout == 'API_TOKEN="t0ken"\n', str(result)
    assert stat.S_IMODE(directory_info.st_mode) == 0o700
    assert directory_info.st_uid == accounts.nobody.uid


@pytest.mark.parametrize("spec", ["nobody", "65534", "nobody:nogroup", "65534:65534"])
def test_every_user_spelling_reaches_the_same_identity(
    run: Runner, workspace: Workspace, spec: str
) -> None:
    """name, uid, name:group and uid:gid all name nobody:nogroup."""
    status = run("--user", spec, "--", *STATUS_PROBE).expect(0).status()

    assert _ids(status["Uid"]) == [65534] * 4
    assert _ids(status["Gid"]) == [65534] * 4
    assert _ids(status["Groups"]) == [65534]


def test_numeric_uid_and_gid_without_passwd_entry(
    run: Runner, workspace: Workspace
) -> None:
    """uid:gid with no passwd entry runs with exactly that uid, gid and group."""
    free = _unused_id()

    result = run("--user", f"{free}:{free}", "--", *STATUS_PROBE)
    status = result.expect(0).status()

    assert _ids(status["Uid"]) == [free] * 4, str(result)
    assert _ids(status["Gid"]) == [free] * 4, str(result)
    assert _ids(status["Groups"]) == [free], str(result)


def test_naming_a_group_pins_the_child_to_that_group_only(
    run: Runner, workspace: Workspace, accounts: Accounts
) -> None:
    """USER:GROUP replaces the user's supplementary groups with GROUP alone."""
    group = grp.getgrnam(f"{accounts.prefix}g00").gr_gid
    spec = f"{accounts.member.name}:{accounts.prefix}g00"

    status = run("--user", spec, "--", *STATUS_PROBE).expect(0).status()

    assert _ids(status["Uid"]) == [accounts.member.uid] * 4
    assert _ids(status["Gid"]) == [group] * 4
    assert _ids(status["Groups"]) == [group]


@pytest.mark.parametrize(
    "options",
    [["--allow-root"], ["--user", "root", "--allow-root"]],
    ids=["no-user", "user-root"],
)
def test_allow_root_runs_the_command_as_root(
    run: Runner, workspace: Workspace, options: list[str]
) -> None:
    """With --allow-root the command keeps uid 0."""
    status = run(*options, "--", *STATUS_PROBE).expect(0).status()

    assert _ids(status["Uid"]) == [0] * 4
