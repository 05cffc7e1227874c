"""Liveness and readiness probes."""

from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from app.db import DatabaseStatus, describe_failure
from app.main import create_app


def test_healthz_answers_ok_without_a_database(client: TestClient) -> None:
    """The process is up even though the planted database is unreachable."""
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_503_when_the_database_is_unreachable(client: TestClient) -> None:
    """Nothing listens on the planted port, so the probe reports unavailable."""
    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "reason": "OperationalError: database unreachable",
    }


def test_readyz_503_body_names_no_credentials(
    client: TestClient, planted_settings: dict[str, str]
) -> None:
    """The failure reason carries neither the URL, the user nor the password."""
    body = client.get("/readyz").text

    for name in ("DATABASE_URL", "POSTGRES_USER", "POSTGRES_PASSWORD"):
        assert planted_settings[name] not in body
    assert "Pl4nted" not in body
    assert planted_settings["POSTGRES_PORT"] not in body


def test_readyz_is_200_when_the_check_passes(env_file: Path) -> None:
    """A passing check, here a stand-in for PostgreSQL, makes the app ready."""

    async def passing_check(url: SecretStr) -> DatabaseStatus:
        return DatabaseStatus(ok=True)

    with TestClient(create_app(check_database=passing_check)) as client:
        response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            psycopg.OperationalError(
                'connection failed: FATAL:  password authentication failed for user "x"'
            ),
            "OperationalError: authentication failed",
        ),
        (
            psycopg.OperationalError('connection to server at "db.internal" failed'),
            "OperationalError: database unreachable",
        ),
        (
            psycopg.errors.ConnectionTimeout("connection timeout expired"),
            "ConnectionTimeout: database timed out",
        ),
        (TimeoutError(), "TimeoutError: database timed out"),
        (
            psycopg.ProgrammingError('invalid connection option "secret-ish"'),
            "ProgrammingError: invalid database URL",
        ),
        (psycopg.DatabaseError("oops"), "DatabaseError: database error"),
    ],
)
def test_describe_failure_keeps_only_class_and_fixed_phrase(
    error: BaseException, expected: str
) -> None:
    """psycopg's text, which can name hosts and users, is replaced by a phrase."""
    assert describe_failure(error) == expected
