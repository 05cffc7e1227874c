"""Turn argv and the ENTRYPOINT_* variables into one settings object.

The split between options and the command is done by hand, the way gosu and
tini do it: options end at the first word that is not one, or at `--`, and
everything after is the command, untouched. argparse's REMAINDER handling
drops or keeps `--` depending on position, and it costs start-up time that
every container start would pay.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from entrypoint.errors import UsageError

USAGE = """\
usage: entrypoint [--secrets-dir DIR] [--manifest FILE] [--env-file PATH]
                  [--user USER[:GROUP]] [--allow-root] [--keep-env] [--export]
                  [--init [--single-child] [--grace SECONDS]
                          [--success-exit CODE]... [--watch]
                          [--reload-signal SIG]]
                  [--check] [--version] [--] COMMAND [ARG...]

Read secrets from DIR, KEY_FILE pointers and the environment, check them
against the manifest, write them to a chmod-600 .env owned by USER, drop
root for good, and exec COMMAND.

options (each also read from the variable in brackets; the flag wins):
  --secrets-dir DIR   where Docker mounts secrets [ENTRYPOINT_SECRETS_DIR]
                      (default /run/secrets)
  --manifest FILE     secrets.example listing the keys [ENTRYPOINT_MANIFEST]
  --env-file PATH     the .env to write [ENTRYPOINT_ENV_FILE]
                      (default /run/app/.env)
  --user USER[:GROUP] who runs COMMAND [ENTRYPOINT_USER]
  --allow-root        let COMMAND run as root [ENTRYPOINT_ALLOW_ROOT=1]
  --keep-env          pass every variable through [ENTRYPOINT_KEEP_ENV=1]
  --export            also put values in COMMAND's environment
                      [ENTRYPOINT_EXPORT=1]
  --init              stay as PID 1: forward signals, reap zombies, remove
                      the .env when COMMAND exits [ENTRYPOINT_INIT=1]
  --single-child      forward signals to COMMAND only, not its process group
                      [ENTRYPOINT_SINGLE_CHILD=1]
  --grace SECONDS     wait this long after COMMAND exits before killing
                      what is left of its group [ENTRYPOINT_GRACE] (default 5)
  --success-exit CODE report COMMAND's exit CODE as 0; repeatable
                      [ENTRYPOINT_SUCCESS_EXIT, comma-separated]
  --watch             rewrite the .env when the secrets directory changes,
                      then signal COMMAND [ENTRYPOINT_WATCH=1]
  --reload-signal SIG the signal sent after a rewrite
                      [ENTRYPOINT_RELOAD_SIGNAL] (default HUP)
  --check             report each key's source and status; start nothing
  --version           print the version
also: ENTRYPOINT_LOG_LEVEL (debug, info, warning, error; default info),
      ENTRYPOINT_LOG_FORMAT (json or console; default json unless a terminal)
"""

LOG_LEVELS = ("debug", "info", "warning", "error")
LOG_FORMATS = ("json", "console")

_VALUE_OPTIONS = {
    "--secrets-dir": "ENTRYPOINT_SECRETS_DIR",
    "--manifest": "ENTRYPOINT_MANIFEST",
    "--env-file": "ENTRYPOINT_ENV_FILE",
    "--user": "ENTRYPOINT_USER",
    "--grace": "ENTRYPOINT_GRACE",
    "--success-exit": "ENTRYPOINT_SUCCESS_EXIT",
    "--reload-signal": "ENTRYPOINT_RELOAD_SIGNAL",
}
_REPEATABLE = ("--success-exit",)
_FLAG_OPTIONS = {
    "--allow-root": "ENTRYPOINT_ALLOW_ROOT",
    "--keep-env": "ENTRYPOINT_KEEP_ENV",
    "--export": "ENTRYPOINT_EXPORT",
    "--init": "ENTRYPOINT_INIT",
    "--single-child": "ENTRYPOINT_SINGLE_CHILD",
    "--watch": "ENTRYPOINT_WATCH",
    "--check": None,
    "--version": None,
    "--help": None,
    "-h": None,
}
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("", "0", "false", "no", "off")


class Supervision(NamedTuple):
    """How init mode looks after the command."""

    single_child: bool = False
    grace: float = 5.0
    success_exits: frozenset[int] = frozenset()
    watch: bool = False
    reload_signal: int = signal.SIGHUP


class Settings(NamedTuple):
    """Everything one run of the entrypoint needs to know."""

    secrets_dir: str = "/run/secrets"
    manifest: str | None = None
    env_file: str = "/run/app/.env"
    user: str | None = None
    allow_root: bool = False
    keep_env: bool = False
    export: bool = False
    init: bool = False
    supervision: Supervision = Supervision()
    check: bool = False
    version: bool = False
    help: bool = False
    log_level: str = "info"
    log_format: str = "json"
    command: tuple[str, ...] = ()


def parse(argv: Sequence[str], environ: Mapping[str, str]) -> Settings:
    """Read options from `argv` (without the program name) over `environ`."""
    options, command = _split(argv)
    values = {
        option: environ.get(variable) for option, variable in _VALUE_OPTIONS.items()
    }
    flags = {
        option: _boolean(environ, variable) if variable else False
        for option, variable in _FLAG_OPTIONS.items()
    }
    repeated: dict[str, str] = {}
    for option, value in options:
        if value is None:
            flags[option] = True
        elif option in _REPEATABLE and option in repeated:
            repeated[option] += f",{value}"
        else:
            repeated[option] = value
    values.update(repeated)

    return Settings(
        secrets_dir=values["--secrets-dir"] or "/run/secrets",
        manifest=values["--manifest"] or None,
        env_file=os.path.abspath(values["--env-file"] or "/run/app/.env"),
        user=values["--user"] or None,
        allow_root=flags["--allow-root"],
        keep_env=flags["--keep-env"],
        export=flags["--export"],
        init=flags["--init"],
        supervision=Supervision(
            single_child=flags["--single-child"],
            grace=_grace(values["--grace"]),
            success_exits=_exit_codes(values["--success-exit"]),
            watch=flags["--watch"],
            reload_signal=_signal(values["--reload-signal"]),
        ),
        check=flags["--check"],
        version=flags["--version"],
        help=flags["--help"] or flags["-h"],
        log_level=_choice(environ, "ENTRYPOINT_LOG_LEVEL", LOG_LEVELS, "info"),
        log_format=_choice(
            environ, "ENTRYPOINT_LOG_FORMAT", LOG_FORMATS, default_format()
        ),
        command=tuple(command),
    )


def _split(argv: Sequence[str]) -> tuple[list[tuple[str, str | None]], list[str]]:
    options: list[tuple[str, str | None]] = []
    index = 0
    while index < len(argv):
        word = argv[index]
        if word == "--":
            return options, list(argv[index + 1 :])
        if not word.startswith("-") or word == "-":
            return options, list(argv[index:])

        name, has_value, inline = word.partition("=")
        if name in _VALUE_OPTIONS:
            if has_value:
                value = inline
            elif index + 1 < len(argv):
                index += 1
                value = argv[index]
            else:
                raise UsageError(f"{name} needs a value", hint=f"write {name} VALUE")
            options.append((name, value))
        elif name in _FLAG_OPTIONS and not has_value:
            options.append((name, None))
        else:
            raise UsageError(
                f"unknown option {name!r}",
                hint="put -- before a command whose name starts with '-'; "
                "see entrypoint --help",
            )
        index += 1
    return options, []


def _grace(raw: str | None) -> float:
    try:
        seconds = float(raw) if raw else 5.0
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 3600:
        raise UsageError(
            f"--grace {raw!r} is not a number of seconds",
            hint="give seconds from 0 to 3600; keep it under Docker's 10 s stop "
            "timeout",
        )
    return seconds


def _exit_codes(raw: str | None) -> frozenset[int]:
    words = [word for word in (raw or "").replace(" ", ",").split(",") if word]
    if not all(word.isdigit() and int(word) <= 255 for word in words):
        raise UsageError(
            f"--success-exit {raw!r} is not a list of exit codes",
            hint="give codes from 0 to 255, for example --success-exit 143",
        )
    return frozenset(int(word) for word in words)


def _signal(raw: str | None) -> int:
    if not raw:
        return signal.SIGHUP
    name = raw.upper()
    if raw.isdigit():
        number = int(raw)
    else:
        number = getattr(signal, name if name.startswith("SIG") else f"SIG{name}", -1)
    if number not in signal.valid_signals() or number in (
        signal.SIGKILL,
        signal.SIGSTOP,
    ):
        raise UsageError(
            f"--reload-signal {raw!r} is not a catchable signal",
            hint="name one such as HUP, USR1 or USR2",
        )
    return int(number)


def _boolean(environ: Mapping[str, str], variable: str) -> bool:
    raw = environ.get(variable, "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise UsageError(
        f"{variable}={environ[variable]!r} is not a yes/no value",
        hint=f"set {variable}=1 or {variable}=0",
    )


def _choice(
    environ: Mapping[str, str], variable: str, allowed: tuple[str, ...], default: str
) -> str:
    raw = environ.get(variable, "").strip().lower() or default
    if raw not in allowed:
        raise UsageError(
            f"{variable}={raw!r} is not one of {', '.join(allowed)}",
            hint=f"set {variable} to one of {', '.join(allowed)}",
        )
    return raw


def default_format() -> str:
    return "console" if sys.stderr.isatty() else "json"
