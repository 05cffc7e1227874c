"""Exit codes other than 78: the .env, the user, root, usage, the command.

In every refusal the command (which would touch a marker) has not started
and the .env directory holds nothing new: no .env, no temporary file.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from cli_harness import Result, Runner, Workspace

pytestmark = pytest.mark.root

EX_USAGE = 64
EX_NOUSER = 67
EX_CANTCREAT = 73
EX_NOPERM = 77
EX_NOEXEC = 126
EX_NOTFOUND = 127


@contextmanager
def tmpfs(mountpoint: Path, options: str) -> Iterator[Path]:
    """A small tmpfs at `mountpoint`, unmounted however the test ends."""
    mountpoint.mkdir(exist_ok=True)
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(mountpoint)],
        check=True,
    )
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", str(mountpoint)], check=True)


def _refused(
    result: Result, workspace: Workspace, code: int, before: list[str] | None = None
) -> Result:
    result.expect(code)
    workspace.assert_nothing_happened(result, before)
    return result


@pytest.mark.parametrize("dangling", [False, True], ids=["to-a-file", "dangling"])
def test_env_path_that_is_a_symlink(
    run: Runner, workspace: Workspace, dangling: bool
) -> None:
    """The link is not written through: its target stays as it was."""
    workspace.env_file.parent.mkdir(mode=0o700)
    target = workspace.root / "elsewhere" / "target"
    if not dangling:
        workspace.file(target, "untouched")
    workspace.env_file.symlink_to(target)

    result = run("--user", "nobody", *workspace.touch())

    _refused(result, workspace, EX_CANTCREAT, before=[".env"])
    assert workspace.env_file.is_symlink()
    if dangling:
        assert not target.exists()
    else:
        assert target.read_text() == "untouched"


def test_env_path_that_is_a_directory(run: Runner, workspace: Workspace) -> None:
    """A directory where the .env should go is not replaced."""
    workspace.env_file.mkdir(parents=True)
    workspace.env_file.parent.chmod(0o700)

    result = run("--user", "nobody", *workspace.touch())

    _refused(result, workspace, EX_CANTCREAT, before=[".env"])
    assert workspace.env_file.is_dir()


@pytest.mark.parametrize("mode", [0o777, 0o702, 0o1777], ids=oct)
def test_env_directory_writable_by_others(
    run: Runner, workspace: Workspace, mode: int
) -> None:
    """Another user could swap the file, so the entrypoint refuses the directory."""
    workspace.env_file.parent.mkdir()
    workspace.env_file.parent.chmod(mode)

    result = run("--user", "nobody", *workspace.touch())

    _refused(result, workspace, EX_CANTCREAT)
    assert str(workspace.env_file.parent) in result.stderr, str(result)


def test_env_directory_whose_parent_is_missing(
    run: Runner, workspace: Workspace
) -> None:
    """The entrypoint makes the .env directory, not a whole path to it."""
    env_file = workspace.root / "missing" / "app" / ".env"

    result = run("--env-file", env_file, "--user", "nobody", *workspace.touch())

    _refused(result, workspace, EX_CANTCREAT)
    assert not (workspace.root / "missing").exists()


def test_env_directory_under_a_regular_file(run: Runner, workspace: Workspace) -> None:
    """A path that runs through a file cannot hold a directory."""
    regular = workspace.file("regular", "x")

    result = run(
        "--env-file", regular / "app" / ".env", "--user", "nobody", *workspace.touch()
    )

    _refused(result, workspace, EX_CANTCREAT)
    assert regular.read_text() == "x"


def test_env_directory_on_a_read_only_filesystem(
    run: Runner, workspace: Workspace
) -> None:
    """A read-only mount (the usual root filesystem of a hardened container)."""
    with tmpfs(workspace.root / "readonly", "ro,size=16k") as mountpoint:
        env_file = mountpoint / "app" / ".env"

        result = run("--env-file", env_file, "--user", "nobody", *workspace.touch())

        _refused(result, workspace, EX_CANTCREAT)
        assert os.listdir(mountpoint) == []
        assert "Read-only file system" in result.stderr, str(result)


def test_full_disk_keeps_the_old_env_file_and_leaves_no_temporary(
    run: Runner, workspace: Workspace
) -> None:
    """The new content does not fit: the old .env survives, byte for byte."""
    workspace.secret("big_value", "x" * (256 * 1024))
    with tmpfs(workspace.env_file.parent, "size=16k,mode=0700"):
        workspace.env_file.write_text('OLD="kept"\n')
        workspace.env_file.chmod(0o600)

        result = run("--user", "nobody", *workspace.touch())

        _refused(result, workspace, EX_CANTCREAT, before=[".env"])
        assert workspace.env_file.read_text() == 'OLD="kept"\n'
        assert "No space left on device" in result.stderr, str(result)


def test_missing_cap_chown_is_73_naming_the_capability(
    run: Runner, workspace: Workspace
) -> None:
    """Root without CAP_CHOWN cannot give the .env away: a 73 with a hint.

    The bounding set is what a hardened container's cap_drop removes; root
    that execs the entrypoint with CHOWN out of it lacks the capability.
    """
    without_chown = replace(
        run, prefix=("setpriv", "--bounding-set=-chown", "--", *run.prefix)
    )

    result = without_chown("--user", "nobody", *workspace.touch())

    _refused(result, workspace, EX_CANTCREAT)
    assert "CAP_CHOWN" in result.stderr, str(result)
    assert not workspace.env_file.parent.exists(), str(result)


@pytest.mark.parametrize(
    "spec",
    ["sectest-no-such-user", "nobody:sectest-no-such-group", "54331"],
    ids=["unknown-user", "unknown-group", "uid-without-passwd-and-gid"],
)
def test_unknown_user_or_group(run: Runner, workspace: Workspace, spec: str) -> None:
    """The user, the group, or the gid of a bare uid cannot be found."""
    result = run("--user", spec, *workspace.touch())

    _refused(result, workspace, EX_NOUSER)


@pytest.mark.parametrize(
    ("options", "variables"),
    [
        ([], {}),
        ([], {"ENTRYPOINT_ALLOW_ROOT": "0"}),
        (["--user", "root"], {}),
        (["--user", "0"], {}),
        (["--user", "root:root"], {}),
        ([], {"ENTRYPOINT_USER": "root"}),
    ],
    ids=[
        "no-user",
        "allow-root-0",
        "user-root",
        "user-0",
        "user-root-root",
        "variable-root",
    ],
)
def test_root_without_allow_root(
    run: Runner, workspace: Workspace, options: list[str], variables: dict[str, str]
) -> None:
    """Staying root is only done on request (--allow-root)."""
    result = run(*options, *workspace.touch(), env=variables)

    _refused(result, workspace, EX_NOPERM)


@pytest.mark.parametrize("double_dash", [False, True], ids=["bare", "double-dash"])
def test_no_command(run: Runner, workspace: Workspace, double_dash: bool) -> None:
    """Nothing to run is a usage error."""
    result = run("--user", "nobody", *(["--"] if double_dash else []))

    _refused(result, workspace, EX_USAGE)


@pytest.mark.parametrize(
    "options",
    [["--bogus"], ["-x"], ["--check=yes"], ["-weird"]],
    ids=["long", "short", "flag-with-value", "program-without-double-dash"],
)
def test_unknown_option(run: Runner, workspace: Workspace, options: list[str]) -> None:
    """An unknown option before the command is a usage error naming it."""
    result = run("--user", "nobody", *options, *workspace.touch())

    _refused(result, workspace, EX_USAGE)
    assert options[0].partition("=")[0] in result.stderr, str(result)


def test_option_missing_its_value(run: Runner, workspace: Workspace) -> None:
    """`--user` as the last word has no value to take."""
    result = run("--user")

    _refused(result, workspace, EX_USAGE)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ENTRYPOINT_ALLOW_ROOT", "maybe"),
        ("ENTRYPOINT_KEEP_ENV", "2"),
        ("ENTRYPOINT_EXPORT", "sure"),
        ("ENTRYPOINT_LOG_LEVEL", "loud"),
        ("ENTRYPOINT_LOG_FORMAT", "xml"),
    ],
)
def test_bad_entrypoint_variable(
    run: Runner, workspace: Workspace, variable: str, value: str
) -> None:
    """A variable that is not one of its allowed values is a usage error."""
    result = run("--user", "nobody", *workspace.touch(), env={variable: value})

    _refused(result, workspace, EX_USAGE)
    assert variable in result.stderr, str(result)


@pytest.mark.parametrize(
    "program", ["sectest-no-such-command", "/nonexistent/sectest-command"]
)
def test_command_not_found(run: Runner, workspace: Workspace, program: str) -> None:
    """Neither on PATH nor at the given path: 127, before the .env is written."""
    result = run("--user", "nobody", "--", program, str(workspace.marker))

    _refused(result, workspace, EX_NOTFOUND)


@pytest.mark.parametrize("kind", ["on-path", "by-path", "directory"])
def test_command_not_executable(run: Runner, workspace: Workspace, kind: str) -> None:
    """A file without an x bit, or a directory: 126, before the .env is written."""
    script = workspace.file(workspace.bin / "not-executable", "#!/bin/sh\ntouch $1\n")
    program = {
        "on-path": "not-executable",
        "by-path": str(script),
        "directory": str(workspace.bin),
    }[kind]

    result = run("--user", "nobody", "--", program, str(workspace.marker))

    _refused(result, workspace, EX_NOEXEC)


def test_command_only_root_may_execute(run: Runner, workspace: Workspace) -> None:
    """Executable for root but not the target: exec fails after the drop.

    The .env already written for the command is removed again.
    """
    script = workspace.program("root-only", "#!/bin/sh\ntouch $1\n")
    script.chmod(0o700)

    result = run("--user", "nobody", "--", "root-only", str(workspace.marker))

    _refused(result, workspace, EX_NOEXEC)
