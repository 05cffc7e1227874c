"""Running a command to completion, and what a test needs from the run.

`run` never raises on a failed command: it returns a `Result`, whose text
is the whole run (command, exit code, time, stdout and stderr), so that an
assertion message can show everything with `f"...\\n{result}"`.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

TIMEOUT_SECONDS = 60.0

Argument = str | os.PathLike[str]


def describe(
    argv: Sequence[str],
    code: int | None,
    stdout: str,
    stderr: str,
    seconds: float | None = None,
) -> str:
    """A run as text; `code` None is a process that is still running."""
    status = "still running" if code is None else str(code)
    if seconds is not None:
        status += f" after {seconds:.1f} s"
    return (
        f"command: {shlex.join(argv)}\n"
        f"exit code: {status}\n"
        f"--- stdout ---\n{stdout}\n"
        f"--- stderr ---\n{stderr}"
    )


def parse_events(lines: Iterable[str]) -> list[dict[str, Any]]:
    """Every JSON object among `lines`; other lines are skipped."""
    found = []
    for line in lines:
        with suppress(ValueError):
            event = json.loads(line)
            if isinstance(event, dict):
                found.append(event)
    return found


@dataclass(frozen=True)
class Result:
    """One finished run: what was started, its exit code and its output."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float | None = None

    def __str__(self) -> str:
        return describe(
            self.argv, self.returncode, self.stdout, self.stderr, self.seconds
        )

    def expect(self, code: int) -> Self:
        """Assert the exit code, showing the whole run when it differs."""
        assert self.returncode == code, f"expected exit code {code}\n{self}"
        return self

    def lines(self) -> list[str]:
        """The lines of stdout."""
        return self.stdout.splitlines()

    def events(self) -> list[dict[str, Any]]:
        """Every JSON log line on stderr; other lines are ignored here."""
        return parse_events(self.stderr.splitlines())

    def event(self, name: str) -> dict[str, Any]:
        """The first log event called `name`; fails with the run if absent."""
        for event in self.events():
            if event.get("event") == name:
                return event
        raise AssertionError(f"no {name!r} event was logged\n{self}")

    def assert_reveals_none_of(self, *values: str, window: int | None = None) -> None:
        """No value is in stdout or stderr.

        With `window`, no `window` consecutive characters of a value are
        either (a value shorter than that must not appear whole).
        """
        output = self.stdout + self.stderr
        for value in values:
            if window is None:
                assert value not in output, f"a value leaked\n{self}"
                continue
            for start in range(max(1, len(value) - window + 1)):
                piece = value[start : start + window]
                assert piece not in output, f"part of a value leaked\n{self}"


def run(
    argv: Sequence[Argument],
    *,
    env: Mapping[str, str | bytes] | None = None,
    input: str | None = None,
    timeout: float | None = TIMEOUT_SECONDS,
    cwd: Path | str | None = None,
    extra_groups: Sequence[int] | None = None,
    preexec_fn: Callable[[], object] | None = None,
) -> Result:
    """Run `argv` to completion, capturing and timing it; never raises on failure.

    `env` None inherits this process's environment. Output is decoded as
    UTF-8, any undecodable byte shown as a backslash escape.
    """
    command = tuple(os.fspath(argument) for argument in argv)
    started = time.monotonic()
    completed = subprocess.run(
        command,
        env=env,
        cwd=cwd,
        input=None if input is None else input.encode(),
        capture_output=True,
        timeout=timeout,
        check=False,
        extra_groups=extra_groups,
        preexec_fn=preexec_fn,
    )
    return Result(
        argv=command,
        returncode=completed.returncode,
        stdout=completed.stdout.decode("utf-8", "backslashreplace"),
        stderr=completed.stderr.decode("utf-8", "backslashreplace"),
        seconds=time.monotonic() - started,
    )
