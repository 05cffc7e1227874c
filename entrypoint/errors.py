"""The project's one exception family and the exit codes it maps to.

The codes follow sysexits.h where one fits and the shell's conventions for a
command that cannot be run, so scripts and orchestrators can tell a missing
secret from a broken image without reading the log.
"""

from __future__ import annotations

EX_OK = 0
EX_USAGE = 64
EX_NOUSER = 67
EX_SOFTWARE = 70
EX_CANTCREAT = 73
EX_NOPERM = 77
EX_CONFIG = 78
EX_NOEXEC = 126
EX_NOTFOUND = 127


class EntrypointError(Exception):
    """Base error: a message for a person and the exit code that goes with it.

    Messages name the key, file or variable at fault and end with a hint. They
    never carry a secret's value, which is why no error is built from one.
    """

    exit_code = EX_CONFIG

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\nHint: {self.hint}"
        return self.message


class UsageError(EntrypointError):
    """The command line or an ENTRYPOINT_* variable is malformed."""

    exit_code = EX_USAGE


class ConfigError(EntrypointError):
    """The manifest, a secret or a variable is missing, malformed or ambiguous."""

    exit_code = EX_CONFIG


class UnknownUserError(EntrypointError):
    """The requested user or group does not exist."""

    exit_code = EX_NOUSER


class EnvFileError(EntrypointError):
    """The .env file cannot be written safely."""

    exit_code = EX_CANTCREAT


class PrivilegeError(EntrypointError):
    """Privileges cannot be dropped, or dropping them did not hold."""

    exit_code = EX_NOPERM


class CommandNotFoundError(EntrypointError):
    """The command to start does not exist."""

    exit_code = EX_NOTFOUND


class CommandNotExecutableError(EntrypointError):
    """The command exists but cannot be executed."""

    exit_code = EX_NOEXEC
