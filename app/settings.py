"""Settings read once at startup from the ``.env`` file the entrypoint wrote."""

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_FILE_VARIABLE = "ENV_FILE"
DEFAULT_ENV_FILE = ".env"

LogLevel = Literal["critical", "error", "warning", "info", "debug", "trace"]
RequiredSecret = Annotated[SecretStr, Field(min_length=1)]

# What each kind of pydantic error means to an operator; the error's own
# message is not used because some messages quote lengths or parts of the input.
_PROBLEMS = {
    "missing": "missing",
    "extra_forbidden": "not a declared setting",
}


class SettingsError(Exception):
    """The settings file is missing a required key or has an invalid one."""


class Settings(BaseSettings):
    """The service's configuration, one field per key in ``secrets.example``."""

    # An empty value counts as absent, so ``KEY=`` fails a required key
    # instead of passing as an empty string.
    model_config = SettingsConfigDict(env_ignore_empty=True)

    POSTGRES_USER: str = "notioniauser"
    POSTGRES_DB: str = "notionassistant"
    POSTGRES_HOST: str = "db"
    POSTGRES_PORT: int = Field(default=5432, ge=1, le=65535)
    POSTGRES_PASSWORD: RequiredSecret
    DATABASE_URL: RequiredSecret

    JWT_SECRET: RequiredSecret
    ENCRYPTION_KEY: RequiredSecret
    ADMIN_PASSWORD: RequiredSecret

    OPENAI_API_KEY: SecretStr | None = None
    ANTHROPIC_API_KEY: SecretStr | None = None
    NOTION_API_KEY: SecretStr | None = None
    DEEPSEEK_API_KEY: SecretStr | None = None

    LOG_LEVEL: LogLevel = "info"
    SESSION_IDLE_SECONDS: int = Field(default=1800, gt=0)
    SESSION_COOKIE_SECURE: bool = True

    @field_validator("LOG_LEVEL", mode="before")
    @classmethod
    def _lower_log_level(cls, value: object) -> object:
        """Accept ``INFO`` as well as ``info``, as uvicorn does."""
        return value.lower() if isinstance(value, str) else value


def env_file_path() -> Path:
    """Return the dotenv file named by ``ENV_FILE``, or ``.env`` by default."""
    return Path(os.environ.get(ENV_FILE_VARIABLE) or DEFAULT_ENV_FILE)


def load_settings(env_file: Path | None = None) -> Settings:
    """Read the settings, raising `SettingsError` that names keys, never values."""
    path = env_file_path() if env_file is None else env_file
    try:
        return Settings(_env_file=path)
    except OSError as exc:
        problem = f"cannot read {path}: {exc.strerror}"
        hint = "make it readable by the user the service runs as"
        raise SettingsError(f"{problem}. Hint: {hint}.") from None
    except ValidationError as exc:
        errors = exc.errors(
            include_url=False, include_input=False, include_context=False
        )
    # Raised outside the except block so the ValidationError, whose text
    # quotes the input values, is not chained to this error.
    raise SettingsError(describe_errors(errors, path))


def describe_errors(errors: Iterable[ErrorDetails], env_file: Path) -> str:
    """Build a message from the error locations and kinds only."""
    problems = [f"{_key_name(error)} ({_problem(error)})" for error in errors]
    where = str(env_file) if env_file.is_file() else f"{env_file}, which does not exist"
    return (
        f"invalid settings in {where}: {', '.join(problems)}. "
        f"Hint: set the keys listed in secrets.example; the file is named by "
        f"{ENV_FILE_VARIABLE}."
    )


def _problem(error: ErrorDetails) -> str:
    """Say what is wrong with a key, from the kind of error alone."""
    return _PROBLEMS.get(error["type"], f"invalid: {error['type']}")


def _key_name(error: ErrorDetails) -> str:
    """Return the setting a pydantic error is about, as written in a dotenv file."""
    return ".".join(str(part) for part in error["loc"]).upper() or "<settings>"


def key_status(settings: Settings) -> tuple[list[str], list[str]]:
    """Split the setting names into those with a value and those without.

    A key left at its default counts as set: the service has a value for it.
    """
    names = list(type(settings).model_fields)
    unset = [name for name in names if getattr(settings, name) is None]
    return [name for name in names if name not in unset], unset
