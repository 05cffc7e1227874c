"""The command line: where options end, what reaches the command, flag over variable."""

from __future__ import annotations

from importlib.metadata import version
from typing import TYPE_CHECKING

import pytest
from cli_harness import STATUS_PROBE
from dotenv import dotenv_values

if TYPE_CHECKING:
    from cli_harness import Accounts, Runner, Workspace

pytestmark = pytest.mark.root

ECHO_ARGUMENTS = '#!/bin/sh\nprintf "%s\\n" "$@"\n'


def test_program_named_like_an_option_runs_after_double_dash(
    run: Runner, workspace: Workspace
) -> None:
    """`-- -weird` execs the program called -weird from PATH."""
    workspace.program("-weird", ECHO_ARGUMENTS)

    result = run("--user", "nobody", "--", "-weird", "first", "--second")

    assert result.expect(0).stdout == "first\n--second\n", str(result)
    assert result.event("command.exec")["program"] == "-weird"


def test_options_after_the_command_belong_to_the_command(
    run: Runner, workspace: Workspace
) -> None:
    """Entrypoint options, `--` and odd words after COMMAND are passed untouched."""
    workspace.program("echo-args", ECHO_ARGUMENTS)
    passed = ["--user", "root", "--env-file", "/tmp/x", "--", "--check", "-", ""]

    result = run("--user", "nobody", "echo-args", *passed)

    assert result.expect(0).stdout == "".join(f"{word}\n" for word in passed)
    assert workspace.env_file.exists(), str(result)
    assert not workspace.marker.exists()


def test_double_dash_after_the_command_is_not_consumed(
    run: Runner, workspace: Workspace
) -> None:
    """Only the first `--` ends the options; a later one reaches the command."""
    workspace.program("echo-args", ECHO_ARGUMENTS)

    result = run("--user", "nobody", "--", "echo-args", "--", "x")

    assert result.expect(0).stdout == "--\nx\n", str(result)


def test_env_file_flag_beats_its_variable(run: Runner, workspace: Workspace) -> None:
    """ENTRYPOINT_ENV_FILE=a with --env-file b writes b and leaves a alone."""
    workspace.secret("api_token", "t0ken")
    by_variable = workspace.root / "by-variable" / ".env"
    by_flag = workspace.root / "by-flag" / ".env"

    result = run(
        "--env-file",
        by_flag,
        "--user",
        "nobody",
        *workspace.touch(),
        env={"ENTRYPOINT_ENV_FILE": str(by_variable)},
    )

    result.expect(0)
    assert dotenv_values(by_flag) == {"API_TOKEN": "t0ken"}
    assert not by_variable.parent.exists()


def test_secrets_dir_flag_beats_its_variable(run: Runner, workspace: Workspace) -> None:
    """The directory named by --secrets-dir is read, not the variable's."""
    workspace.file("by-variable/api_token", "from-variable")
    workspace.file("by-flag/api_token", "from-flag")

    result = run(
        "--secrets-dir",
        workspace.root / "by-flag",
        "--user",
        "nobody",
        *workspace.touch(),
        env={"ENTRYPOINT_SECRETS_DIR": str(workspace.root / "by-variable")},
    )

    result.expect(0)
    assert dotenv_values(workspace.env_file) == {"API_TOKEN": "from-flag"}


def test_manifest_flag_beats_its_variable(run: Runner, workspace: Workspace) -> None:
    """A manifest requiring a missing key is ignored when --manifest names another."""
    strict = workspace.file("strict.example", "# @required\nNEVER_SET=\n")
    lenient = workspace.file("lenient.example", "GREETING=hello\n")

    result = run(
        "--manifest",
        lenient,
        "--user",
        "nobody",
        *workspace.touch(),
        env={"ENTRYPOINT_MANIFEST": str(strict)},
    )

    result.expect(0)
    assert dotenv_values(workspace.env_file) == {"GREETING": "hello"}


def test_user_flag_beats_its_variable(
    run: Runner, workspace: Workspace, accounts: Accounts
) -> None:
    """ENTRYPOINT_USER names one user, --user another: the flag's user runs."""
    result = run(
        "--user",
        "nobody",
        "--",
        *STATUS_PROBE,
        env={"ENTRYPOINT_USER": accounts.member.name},
    )

    assert result.expect(0).status()["Uid"].split()[0] == "65534", str(result)


@pytest.mark.parametrize("value", ["1", "true", "yes", "on", "YES"])
def test_allow_root_variable_accepts_yes_values(
    run: Runner, workspace: Workspace, value: str
) -> None:
    """ENTRYPOINT_ALLOW_ROOT takes the usual spellings of yes."""
    result = run(*workspace.touch(), env={"ENTRYPOINT_ALLOW_ROOT": value})

    result.expect(0)
    assert workspace.marker.exists()


def test_user_variable_alone_names_the_target(
    run: Runner, workspace: Workspace, accounts: Accounts
) -> None:
    """ENTRYPOINT_USER works without the flag."""
    result = run(*STATUS_PROBE, env={"ENTRYPOINT_USER": accounts.member.name})

    uid = result.expect(0).status()["Uid"].split()[0]
    assert uid == str(accounts.member.uid), str(result)


def test_version_prints_the_package_version(run: Runner, workspace: Workspace) -> None:
    """--version prints `entrypoint X.Y.Z`, exits 0 and starts nothing."""
    result = run("--version", *workspace.touch())

    assert result.expect(0).stdout == f"entrypoint {version('secrets-entrypoint')}\n"
    assert not workspace.marker.exists()
    assert not workspace.env_file.exists()


def test_help_prints_the_usage(run: Runner, workspace: Workspace) -> None:
    """--help prints the synopsis with every documented option and exits 0."""
    result = run("--help")

    usage = result.expect(0).stdout
    for option in (
        "--secrets-dir",
        "--manifest",
        "--env-file",
        "--user",
        "--allow-root",
        "--keep-env",
        "--export",
        "--check",
        "--version",
    ):
        assert option in usage
