"""Options, their ENTRYPOINT_* variables, and where the command begins."""

from __future__ import annotations

import os

import pytest

from entrypoint.errors import UsageError
from entrypoint.settings import parse


def test_defaults() -> None:
    """With nothing set, the documented defaults apply."""
    settings = parse(["server"], {})

    assert settings.secrets_dir == "/run/secrets"
    assert settings.env_file == "/run/app/.env"
    assert settings.manifest is None
    assert settings.user is None
    assert (settings.allow_root, settings.keep_env, settings.export) == (
        False,
        False,
        False,
    )
    assert settings.log_level == "info"
    assert settings.command == ("server",)


def test_variables_are_read() -> None:
    """Each ENTRYPOINT_* variable sets its option."""
    environ = {
        "ENTRYPOINT_SECRETS_DIR": "/s",
        "ENTRYPOINT_MANIFEST": "/m",
        "ENTRYPOINT_ENV_FILE": "/e/.env",
        "ENTRYPOINT_USER": "app",
        "ENTRYPOINT_ALLOW_ROOT": "1",
        "ENTRYPOINT_KEEP_ENV": "true",
        "ENTRYPOINT_EXPORT": "yes",
        "ENTRYPOINT_LOG_LEVEL": "DEBUG",
        "ENTRYPOINT_LOG_FORMAT": "console",
    }

    settings = parse(["cmd"], environ)

    assert (settings.secrets_dir, settings.manifest, settings.env_file) == (
        "/s",
        "/m",
        "/e/.env",
    )
    assert settings.user == "app"
    assert (settings.allow_root, settings.keep_env, settings.export) == (
        True,
        True,
        True,
    )
    assert (settings.log_level, settings.log_format) == ("debug", "console")


def test_flags_beat_variables() -> None:
    """A command-line option overrides its variable."""
    environ = {"ENTRYPOINT_ENV_FILE": "/from/env", "ENTRYPOINT_USER": "envuser"}

    settings = parse(["--env-file=/from/flag", "--user", "flaguser", "cmd"], environ)

    assert settings.env_file == "/from/flag"
    assert settings.user == "flaguser"


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["uvicorn", "--host", "0.0.0.0"], ["uvicorn", "--host", "0.0.0.0"]),
        (["--", "-weird", "--check"], ["-weird", "--check"]),
        (["--check", "--", "--"], ["--"]),
        (["--user", "app", "--", "server"], ["server"]),
        (["server", "--", "x"], ["server", "--", "x"]),
        (["-"], ["-"]),
        ([], []),
    ],
)
def test_command_starts_at_first_non_option_or_after_double_dash(
    argv: list[str], command: list[str]
) -> None:
    """Everything from the command on is passed through untouched."""
    assert list(parse(argv, {}).command) == command


def test_relative_env_file_is_made_absolute() -> None:
    """ENV_FILE given to the child is absolute, whatever its working directory."""
    assert os.path.isabs(parse(["--env-file", "run/.env", "x"], {}).env_file)


@pytest.mark.parametrize(
    ("argv", "environ", "message"),
    [
        (["--bogus", "x"], {}, "unknown option '--bogus'"),
        (["--check=yes"], {}, "unknown option '--check'"),
        (["--user"], {}, "--user needs a value"),
        (["x"], {"ENTRYPOINT_ALLOW_ROOT": "maybe"}, "ENTRYPOINT_ALLOW_ROOT='maybe'"),
        (["x"], {"ENTRYPOINT_LOG_LEVEL": "loud"}, "ENTRYPOINT_LOG_LEVEL='loud'"),
        (["x"], {"ENTRYPOINT_LOG_FORMAT": "xml"}, "ENTRYPOINT_LOG_FORMAT='xml'"),
    ],
)
def test_bad_usage_is_exit_64(
    argv: list[str], environ: dict[str, str], message: str
) -> None:
    """Malformed options and variables are usage errors naming the culprit."""
    with pytest.raises(UsageError, match=message) as caught:
        parse(argv, environ)

    assert caught.value.exit_code == 64
