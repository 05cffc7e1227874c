"""The one fixture layer between the integration tests and the Docker engine.

Everything a test creates carries the session's label, and is removed at the
end of the session even when a test failed. A missing engine is a failure,
not a skip: `scripts/test` starts one, and a run without it proved nothing.
"""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from docker.errors import APIError, DockerException, NotFound

import docker

ROOT = Path(__file__).resolve().parents[2]
LABEL = "org.secrets-entrypoint.test-session"
SESSION = uuid.uuid4().hex[:12]

os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.docker)


@pytest.fixture(scope="session")
def docker_client() -> Iterator[docker.DockerClient]:
    """A client for the local engine; fails the run if there is none."""
    try:
        client = docker.from_env()
        client.ping()
    except DockerException as error:
        pytest.fail(
            f"no Docker engine answers ({error.__class__.__name__}); "
            "run scripts/test, which starts one",
            pytrace=False,
        )
    yield client
    _remove_labelled(client)
    client.close()


@pytest.fixture(scope="session")
def images() -> dict[str, str]:
    """BASE_IMAGE, POSTGRES_IMAGE and APP_IMAGE as scripts/build-images chose."""
    path = ROOT / ".images.env"
    if not path.exists():
        pytest.fail(f"{path} is missing; run scripts/build-images", pytrace=False)
    pairs = (
        line.split("=", 1)
        for line in path.read_text().splitlines()
        if "=" in line and not line.startswith("#")
    )
    return {key.strip(): value.strip() for key, value in pairs}


@pytest.fixture(scope="session")
def labels() -> dict[str, str]:
    """Put these on everything a test creates, so the session can sweep it."""
    return {LABEL: SESSION}


@pytest.fixture(scope="session")
def swarm(docker_client: docker.DockerClient) -> Iterator[docker.DockerClient]:
    """The engine in swarm mode; a swarm this session created is left again."""
    state = docker_client.info()["Swarm"]["LocalNodeState"]
    created = state == "inactive"
    if created:
        docker_client.swarm.init(advertise_addr="127.0.0.1")
    yield docker_client
    _remove_labelled(docker_client)
    if created:
        with contextlib.suppress(APIError):
            docker_client.swarm.leave(force=True)


def _remove_labelled(client: docker.DockerClient) -> None:
    """Remove services, containers, secrets and networks of this session.

    A secret stays in use until the tasks of a removed service are gone, so
    secrets are retried for a while before giving up.
    """
    selector: dict[str, str | list[str] | bool] = {"label": f"{LABEL}={SESSION}"}
    with contextlib.suppress(APIError):  # not a swarm manager: no services
        for service in client.services.list(filters=selector):
            with contextlib.suppress(NotFound, APIError):
                service.remove()
    for container in client.containers.list(all=True, filters=selector):
        with contextlib.suppress(NotFound, APIError):
            container.remove(force=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and _remove_secrets(client, selector):
        time.sleep(0.5)
    for network in client.networks.list(filters=selector):
        with contextlib.suppress(NotFound, APIError):
            network.remove()


def _remove_secrets(
    client: docker.DockerClient, selector: dict[str, str | list[str] | bool]
) -> bool:
    """Try to remove each labelled secret; True while some are still in use."""
    try:
        secrets = client.secrets.list(filters=selector)
    except APIError:
        return False
    in_use = False
    for secret in secrets:
        try:
            secret.remove()
        except NotFound:
            continue
        except APIError:
            in_use = True
    return in_use
