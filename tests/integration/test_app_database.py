"""The app's readiness check against a real PostgreSQL server.

The server is POSTGRES_IMAGE (the official image, or the stand-in built from
Debian's packages where no registry answers), published on the loopback.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from integration.helpers import logs_of, publish_on_loopback, run_in, wait_until
from pydantic import SecretStr
from testcontainers.core.container import DockerContainer

from app.db import DatabaseStatus, check_database
from app.settings import Settings, load_settings
from entrypoint.envfile import serialise

USER = "readiness_user"
DATABASE = "readiness_db"
PASSWORD = "Pl4nted/pg:pass@word #?%'"


@pytest.fixture(scope="module")
def database_port(images: dict[str, str], labels: dict[str, str]) -> Iterator[int]:
    """A PostgreSQL server accepting TCP connections on 127.0.0.1."""
    container = DockerContainer(images["POSTGRES_IMAGE"], labels=labels).with_envs(
        POSTGRES_PASSWORD=PASSWORD, POSTGRES_USER=USER, POSTGRES_DB=DATABASE
    )
    with publish_on_loopback(container, 5432):
        wrapped = container.get_wrapped_container()
        # Over TCP: the server that runs first-start initialisation listens
        # on the unix socket only.
        probe = ["pg_isready", "-q", "-h", "127.0.0.1", "-U", USER, "-d", DATABASE]
        wait_until(
            lambda: run_in(wrapped, probe)[0] == 0,
            timeout=90,
            what="PostgreSQL to accept TCP connections",
            describe=lambda: logs_of(wrapped),
        )
        yield int(container.get_exposed_port(5432))


@pytest.fixture
def settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the test writes the app's .env; the runner's variables kept out."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name, raising=False)
    return tmp_path / ".env"


def database_url(port: int, password: str) -> str:
    """The URL the entrypoint would build, the password percent-encoded."""
    secret = quote(password, safe="")
    return f"postgresql://{USER}:{secret}@127.0.0.1:{port}/{DATABASE}"


def write_settings(path: Path, url: str) -> None:
    """A complete .env for the app, written as the entrypoint writes it."""
    values = {
        "POSTGRES_PASSWORD": PASSWORD,
        "DATABASE_URL": url,
        "JWT_SECRET": "readiness-jwt-secret",
        "ENCRYPTION_KEY": "readiness-encryption-key",
        "ADMIN_PASSWORD": "readiness-admin-password",
    }
    path.write_text(serialise(values))


def test_check_database_passes_against_a_real_server(
    database_port: int, settings_file: Path
) -> None:
    """``SELECT 1`` through DATABASE_URL from the .env succeeds."""
    write_settings(settings_file, database_url(database_port, PASSWORD))

    status = check_database(load_settings(settings_file).DATABASE_URL)

    assert status == DatabaseStatus(ok=True)


def test_check_database_names_a_wrong_password_authentication_failed(
    database_port: int,
) -> None:
    """The real server's refusal is reported by a fixed phrase, not its text."""
    url = SecretStr(database_url(database_port, "not-the-password"))

    status = check_database(url)

    assert status == DatabaseStatus(
        ok=False, reason="OperationalError: authentication failed"
    )
