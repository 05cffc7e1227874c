"""Loading the settings from the dotenv file named by ENV_FILE."""

import traceback
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import SettingsError, load_settings

EnvWriter = Callable[[dict[str, str]], Path]


def _everything_said(error: BaseException) -> str:
    """Return the error's message and its whole printed traceback."""
    return str(error) + "".join(traceback.format_exception(error))


def test_load_settings_reads_the_file_named_by_env_file(env_file: Path) -> None:
    """Values come from the planted file, secrets wrapped, defaults filled in."""
    settings = load_settings()

    assert settings.POSTGRES_USER == "planted_db_user"
    assert settings.JWT_SECRET.get_secret_value() == "planted-jwt-secret-value"
    assert settings.SESSION_IDLE_SECONDS == 60
    assert settings.NOTION_API_KEY is None
    assert "planted-jwt-secret-value" not in repr(settings)


def test_session_idle_seconds_defaults_to_1800(
    write_env: EnvWriter, planted_settings: dict[str, str]
) -> None:
    """Without the key, sessions last half an hour of idleness."""
    del planted_settings["SESSION_IDLE_SECONDS"]
    write_env(planted_settings)

    assert load_settings().SESSION_IDLE_SECONDS == 1800


@pytest.mark.parametrize("missing", ["DATABASE_URL", "POSTGRES_PASSWORD", "JWT_SECRET"])
def test_missing_required_key_is_named_without_any_value(
    write_env: EnvWriter, planted_settings: dict[str, str], missing: str
) -> None:
    """The error names the absent key and quotes none of the values present."""
    del planted_settings[missing]
    write_env(planted_settings)

    with pytest.raises(SettingsError) as caught:
        load_settings()

    said = _everything_said(caught.value)
    assert f"{missing} (missing)" in str(caught.value)
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None
    for value in planted_settings.values():
        if len(value) > 4:
            assert value not in said


def test_empty_required_value_counts_as_missing(
    write_env: EnvWriter, planted_settings: dict[str, str]
) -> None:
    """``ADMIN_PASSWORD=`` fails like an absent key instead of passing as ''."""
    write_env({**planted_settings, "ADMIN_PASSWORD": ""})

    with pytest.raises(SettingsError, match=r"ADMIN_PASSWORD \(missing\)"):
        load_settings()


def test_invalid_value_is_named_without_quoting_it(
    write_env: EnvWriter, planted_settings: dict[str, str]
) -> None:
    """A bad integer names its key and the kind of problem, not the input."""
    write_env({**planted_settings, "SESSION_IDLE_SECONDS": "not-a-number-zq7"})

    with pytest.raises(SettingsError) as caught:
        load_settings()

    assert "SESSION_IDLE_SECONDS (invalid: int_parsing)" in str(caught.value)
    assert "zq7" not in _everything_said(caught.value)


def test_undeclared_key_is_rejected_by_name(
    write_env: EnvWriter, planted_settings: dict[str, str]
) -> None:
    """A key the app does not declare is an error that names the key only."""
    write_env({**planted_settings, "UNDECLARED_KEY": "stray-value-q8r"})

    with pytest.raises(SettingsError) as caught:
        load_settings()

    assert "UNDECLARED_KEY (not a declared setting)" in str(caught.value)
    assert "q8r" not in _everything_said(caught.value)


def test_missing_file_is_reported_as_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pointing ENV_FILE at no file says so, alongside the missing keys."""
    monkeypatch.setenv("ENV_FILE", str(tmp_path / "absent.env"))

    with pytest.raises(SettingsError, match="which does not exist"):
        load_settings()


def test_startup_fails_with_the_settings_error(
    write_env: EnvWriter, planted_settings: dict[str, str]
) -> None:
    """The lifespan loads the settings, so a bad file stops the app starting."""
    del planted_settings["ENCRYPTION_KEY"]
    write_env(planted_settings)

    with (
        pytest.raises(SettingsError, match=r"ENCRYPTION_KEY \(missing\)"),
        TestClient(create_app()),
    ):
        pass
