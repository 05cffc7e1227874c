"""A required secret is missing: the container stops before the server starts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from docker.errors import NotFound
from docker.models.containers import Container
from integration.helpers import (
    ENV_FILE,
    SECRET_FILES,
    assert_not_leaked,
    entrypoint_events,
    logs_of,
    write_secret_files,
)
from testcontainers.core.container import DockerContainer

import docker

EX_CONFIG = 78
MISSING = "jwt_secret"
PLANTED = {
    "postgres_password": "missing-test-pg-password-4c1d",
    "encryption_key": "missing-test-encryption-key-9e02",
    "admin_password": "missing-test-admin-password-6b7a",
}


@dataclass(frozen=True)
class Outcome:
    """The stopped container, its exit code and its logs."""

    container: Container
    exit_code: int
    logs: str


@pytest.fixture(scope="module")
def outcome(
    docker_client: docker.DockerClient,
    images: dict[str, str],
    labels: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Outcome]:
    """The app image run with every required secret file but JWT_SECRET's."""
    assert set(PLANTED) | {MISSING} == set(SECRET_FILES)
    secrets = write_secret_files(tmp_path_factory.mktemp("secrets"), PLANTED)

    container = DockerContainer(images["APP_IMAGE"], labels=labels)
    for name in PLANTED:
        container.with_volume_mapping(Path(secrets, name), f"/run/secrets/{name}")
    with container:
        wrapped = container.get_wrapped_container()
        status = wrapped.wait(timeout=30)
        yield Outcome(wrapped, int(status["StatusCode"]), logs_of(wrapped))


def test_container_exits_78(outcome: Outcome) -> None:
    """EX_CONFIG, so an orchestrator can tell a missing secret from a crash."""
    assert outcome.exit_code == EX_CONFIG, outcome.logs


def test_log_names_the_missing_key(outcome: Outcome) -> None:
    """The entrypoint's one error event names JWT_SECRET and where it looked."""
    events = entrypoint_events(outcome.logs)
    failures = [event for event in events if event["event"] == "entrypoint.failed"]

    assert len(failures) == 1, outcome.logs
    message = str(failures[0]["error"])
    assert "JWT_SECRET" in message
    assert f"/run/secrets/{MISSING}" in message
    assert failures[0]["exit_code"] == EX_CONFIG


def test_server_never_started(outcome: Outcome) -> None:
    """No uvicorn line in the logs, and no .env left behind."""
    assert "uvicorn" not in outcome.logs.lower()
    assert "Started server process" not in outcome.logs
    with pytest.raises(NotFound):
        outcome.container.get_archive(ENV_FILE)


def test_no_planted_value_in_logs_or_inspect(
    docker_client: docker.DockerClient, outcome: Outcome
) -> None:
    """The secrets that were there stay out of the logs and the inspect data."""
    assert_not_leaked(docker_client, [outcome.container], PLANTED.values())
