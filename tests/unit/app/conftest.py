"""Fixtures for the reference app: a planted ``.env``, a fake clock, a client."""

import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import ENV_FILE_VARIABLE, Settings

# Values no code path should ever reveal; tests search responses, logs and
# files for them.
PLANTED_USER = "planted_db_user"
PLANTED_PASSWORD = "Pl4nted/pg:pass@word"
PLANTED_PASSWORD_IN_URL = "Pl4nted%2Fpg%3Apass%40word"

EnvWriter = Callable[[dict[str, str]], Path]


class FakeClock:
    """A monotonic clock that moves only when a test says so."""

    def __init__(self) -> None:
        """Start at an arbitrary, non-zero time."""
        self.now = 1000.0

    def __call__(self) -> float:
        """Return the current fake time."""
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        self.now += seconds


def unused_port() -> int:
    """Return a local TCP port that nothing listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the runner's own environment out of the settings under test."""
    for name in [*Settings.model_fields, ENV_FILE_VARIABLE]:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def planted_settings() -> dict[str, str]:
    """Return a complete, valid settings file's keys and distinctive values."""
    port = unused_port()
    url = f"postgresql://{PLANTED_USER}:{PLANTED_PASSWORD_IN_URL}@127.0.0.1:{port}/db"
    return {
        "POSTGRES_USER": PLANTED_USER,
        "POSTGRES_DB": "planted_db",
        "POSTGRES_HOST": "127.0.0.1",
        "POSTGRES_PORT": str(port),
        "POSTGRES_PASSWORD": PLANTED_PASSWORD,
        "DATABASE_URL": url,
        "JWT_SECRET": "planted-jwt-secret-value",
        "ENCRYPTION_KEY": "planted-encryption-key-value",
        "ADMIN_PASSWORD": "planted-admin-password-value",
        "OPENAI_API_KEY": "planted-openai-server-key",
        "LOG_LEVEL": "debug",
        "SESSION_IDLE_SECONDS": "60",
    }


@pytest.fixture
def write_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> EnvWriter:
    """Return a function that writes a ``.env`` and points ``ENV_FILE`` at it."""

    def write(values: dict[str, str]) -> Path:
        path = tmp_path / ".env"
        path.write_text("".join(f"{key}={value}\n" for key, value in values.items()))
        monkeypatch.setenv(ENV_FILE_VARIABLE, str(path))
        return path

    return write


@pytest.fixture
def env_file(write_env: EnvWriter, planted_settings: dict[str, str]) -> Path:
    """Write the planted settings and return the file's path."""
    return write_env(planted_settings)


@pytest.fixture
def clock() -> FakeClock:
    """Return a fresh fake clock."""
    return FakeClock()


@pytest.fixture
def client(env_file: Path, clock: FakeClock) -> Iterator[TestClient]:
    """Return a started app's client, over HTTPS so Secure cookies are sent."""
    with TestClient(create_app(clock=clock), base_url="https://testserver") as c:
        yield c


@pytest.fixture
def advance_clock(clock: FakeClock) -> Callable[[float], None]:
    """Return a function that moves the app's clock forward by some seconds."""
    return clock.advance
