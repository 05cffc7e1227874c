"""Logs at debug level: JSON events on stderr, and never a planted value.

Each case below is one way a start can go, from success to every kind of
refusal, all with distinctive random secrets planted in every source.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import quote

import pytest

if TYPE_CHECKING:
    from cli_harness import Planted, Result, Runner, Workspace

pytestmark = pytest.mark.root

Setup = Callable[["Workspace", "Planted"], None]
SUCCESS_EVENTS = {"secrets.resolved", "privileges.dropped", "command.exec"}


def _nothing(workspace: Workspace, planted: Planted) -> None:
    """Leave the planted configuration as it is."""


def _nul_in_file(workspace: Workspace, planted: Planted) -> None:
    value = planted.values["OPENAI_API_KEY"]
    workspace.secret("openai_api_key", f"{value}\0{value}")


def _not_utf8(workspace: Workspace, planted: Planted) -> None:
    workspace.secret("postgres_password", planted.password.encode() + b"\xff")


def _too_big(workspace: Workspace, planted: Planted) -> None:
    value = planted.values["JWT_SECRET"]
    workspace.file("elsewhere/jwt", value * (1024 * 1024 // len(value) + 1))


def _env_symlink(workspace: Workspace, planted: Planted) -> None:
    workspace.env_file.parent.mkdir(mode=0o700)
    workspace.env_file.symlink_to(workspace.root / "elsewhere" / "jwt")


def _not_executable(workspace: Workspace, planted: Planted) -> None:
    workspace.file(workspace.bin / "sectest-no-x-bit", "#!/bin/sh\n", mode=0o644)


def _root_only(workspace: Workspace, planted: Planted) -> None:
    workspace.file(workspace.bin / "touch", "#!/bin/sh\n", mode=0o700)


@dataclass(frozen=True)
class Case:
    """How one run is set up, and the exit code it must end with."""

    code: int
    options: tuple[str, ...] = ("--user", "nobody")
    env: dict[str, str | None] = field(default_factory=dict)
    setup: Setup = _nothing
    command: tuple[str, ...] | None = None


CASES = {
    "success": Case(0),
    "check": Case(0, ("--check", "--user", "nobody")),
    "missing-key": Case(78, env={"ADMIN_PASSWORD": None}),
    "key-and-key-file": Case(78, env={"JWT_SECRET": "set-twice"}),
    "nul-in-file": Case(78, setup=_nul_in_file),
    "not-utf8": Case(78, setup=_not_utf8),
    "file-too-big": Case(78, setup=_too_big),
    "env-file-symlink": Case(73, setup=_env_symlink),
    "unknown-user": Case(67, ("--user", "sectest-no-such-user")),
    "root-without-user": Case(77, ()),
    "no-command": Case(64, command=()),
    "unknown-option": Case(64, ("--user", "nobody", "--bogus")),
    "bad-variable": Case(64, env={"ENTRYPOINT_ALLOW_ROOT": "maybe"}),
    "command-not-found": Case(127, command=("sectest-no-such-command",)),
    "command-not-executable": Case(
        126, setup=_not_executable, command=("sectest-no-x-bit",)
    ),
    "exec-fails-after-drop": Case(126, setup=_root_only),
}


@pytest.fixture(params=list(CASES))
def outcome(
    request: pytest.FixtureRequest,
    run: Runner,
    workspace: Workspace,
    planted: Planted,
) -> tuple[Case, Result]:
    """One case run at debug level with JSON logs."""
    case = CASES[request.param]
    case.setup(workspace, planted)
    environ = {**planted.environ, "ENTRYPOINT_LOG_LEVEL": "debug", **case.env}
    command = workspace.touch() if case.command is None else case.command

    return case, run(*case.options, *command, env=environ)


def test_exit_code_is_the_same_at_debug_level(outcome: tuple[Case, Result]) -> None:
    """Debug logging (with its traceback) must not change how a run ends."""
    case, result = outcome

    result.expect(case.code)


def test_no_planted_value_appears_in_any_output(
    outcome: tuple[Case, Result], planted: Planted
) -> None:
    """Neither stdout nor stderr holds a secret, its random part or its URL form."""
    _, result = outcome
    decoded = json.dumps(result.events(), ensure_ascii=False)
    needles = [*planted.secrets, *planted.tokens, quote(planted.password, safe="")]

    for text in (result.stdout, result.stderr, decoded):
        leaked = [needle for needle in needles if needle in text]
        assert not leaked, f"planted values leaked: {leaked}\n{result}"


def test_every_stderr_line_is_a_json_event(outcome: tuple[Case, Result]) -> None:
    """One JSON object per line, each with an `event` name and a level."""
    _, result = outcome
    lines = [line for line in result.stderr.splitlines() if line.strip()]

    for line in lines:
        try:
            event = json.loads(line)
        except ValueError:
            pytest.fail(f"stderr line is not JSON: {line!r}\n{result}")
        assert isinstance(event, dict), str(result)
        assert isinstance(event.get("event"), str), str(result)
        assert "level" in event, str(result)


def test_events_name_the_outcome(outcome: tuple[Case, Result]) -> None:
    """Success logs the milestones; a refusal logs entrypoint.failed and its code."""
    case, result = outcome
    names = {event.get("event") for event in result.events()}

    if case.code == 0 and "--check" not in case.options:
        assert names >= SUCCESS_EVENTS, str(result)
        assert "entrypoint.failed" not in names, str(result)
    elif case.code != 0:
        failed = result.event("entrypoint.failed")
        assert failed["exit_code"] == case.code, str(result)
        assert failed["level"] == "error", str(result)
        assert "command.exec" not in names or case.code == 126, str(result)


def test_success_events_carry_names_not_values(
    run: Runner, workspace: Workspace, planted: Planted
) -> None:
    """secrets.resolved lists keys with sources; dropped and exec say who and what."""
    environ = {**planted.environ, "ENTRYPOINT_LOG_LEVEL": "debug"}

    result = run("--user", "nobody", *workspace.touch(), env=environ).expect(0)
    resolved = result.event("secrets.resolved")
    dropped = result.event("privileges.dropped")
    started = result.event("command.exec")

    assert set(resolved["sources"]) == {*planted.values, "DATABASE_URL"}
    assert resolved["count"] == len(planted.values) + 1
    assert (dropped["uid"], dropped["gid"], dropped["groups"]) == (
        65534,
        65534,
        [65534],
    )
    assert started["program"] == "touch"
