"""deploy/stack.yml on a single-node swarm, with external versioned secrets.

The secrets are created with the docker SDK under a prefix of this test's
own, the stack is deployed with `docker stack deploy` as an operator would,
and everything is removed again even when a test fails. Swarm publishes
ports on every interface (there is no loopback-only form), so the published
port is a free one picked for the run and nothing is asked through it: each
replica is probed from inside its own container.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from docker.errors import APIError, NotFound
from docker.models.containers import Container
from integration.helpers import (
    SECRET_FILES,
    assert_env_file_private,
    assert_not_leaked,
    assert_server_runs_as_app,
    assert_stops_cleanly,
    assert_unreadable_by_app,
    read_env_file,
    run_in,
    status_inside,
    wait_until,
)
from support import commands

import docker

pytestmark = pytest.mark.swarm

ROOT = Path(__file__).resolve().parents[2]
STACK_FILE = ROOT / "deploy" / "stack.yml"
REPLICAS = 2
# deploy/stack.yml points the entrypoint here (swarm cannot set a tmpfs's mode).
ENV_FILE = "/run/app/private/.env"
PASSWORD = "sw@rm:p/ss%41 #x?y='z' w"
CLI_TIMEOUT = 120


@dataclass(frozen=True)
class Deployment:
    """A deployed stack: its name, replicas, database and planted values."""

    name: str
    replicas: list[Container]
    db: Container
    planted: dict[str, str]


@pytest.fixture(scope="module")
def deployment(
    swarm: docker.DockerClient, images: dict[str, str], labels: dict[str, str]
) -> Iterator[Deployment]:
    """deploy/stack.yml deployed, every app replica healthy and ready."""
    name = f"setest{uuid.uuid4().hex[:8]}"
    planted = {key: secrets.token_urlsafe(24) for key in SECRET_FILES}
    planted["postgres_password"] = PASSWORD
    try:
        for key, value in planted.items():
            swarm.secrets.create(
                name=f"{name}_{key}_v1", data=value.encode(), labels=labels
            )
        _deploy(name, images)
        replicas = _wait_for_ready_replicas(swarm, name)
        db = _containers(swarm, f"{name}_db")[0]
        yield Deployment(name, replicas, db, planted)
    finally:
        _remove_stack(swarm, name, planted)


def _deploy(name: str, images: dict[str, str]) -> None:
    environment = {
        **os.environ,
        **images,
        "SECRET_PREFIX": f"{name}_",
        "APP_PORT": str(_free_port()),
        "APP_REPLICAS": str(REPLICAS),
    }
    command = ["docker", "stack", "deploy", "--detach=true", "--resolve-image=never"]
    commands.run(
        [*command, "--compose-file", str(STACK_FILE), name],
        env=environment,
        timeout=CLI_TIMEOUT,
    ).expect(0)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _containers(client: docker.DockerClient, service: str) -> list[Container]:
    """The running containers of one service's tasks."""
    selector: dict[str, str | list[str] | bool] = {
        "label": f"com.docker.swarm.service.name={service}"
    }
    return list(client.containers.list(filters=selector))


def _wait_for_ready_replicas(client: docker.DockerClient, name: str) -> list[Container]:
    """Every app replica healthy, then answering /readyz with 200."""
    service = f"{name}_app"

    def healthy() -> list[Container] | None:
        try:
            running = _containers(client, service)
        except NotFound:  # a task's container went between listing and reading
            return None
        states = [c.attrs["State"].get("Health", {}).get("Status") for c in running]
        if len(running) == REPLICAS and states == ["healthy"] * REPLICAS:
            return running
        return None

    replicas = wait_until(
        healthy,
        timeout=120,
        what=f"{REPLICAS} healthy replicas of {service}",
        describe=lambda: _service_report(name),
    )
    wait_until(
        lambda: all(status_inside(c, "/readyz") == 200 for c in replicas),
        timeout=60,
        what=f"/readyz 200 on every replica of {service}",
        describe=lambda: _service_report(name),
    )
    return replicas


def _service_report(name: str) -> str:
    """Task states and errors of the stack, for a timeout's message."""
    result = subprocess.run(
        ["docker", "stack", "ps", "--no-trunc", name],
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT,
        check=False,
    )
    return result.stdout + result.stderr


def _remove_stack(
    client: docker.DockerClient, name: str, planted: dict[str, str]
) -> None:
    """Remove the stack, then its volume, network and secrets.

    Each is in use until the engine has removed the last container holding
    it, a few seconds after `docker stack rm` returns.
    """
    subprocess.run(
        ["docker", "stack", "rm", name],
        capture_output=True,
        timeout=CLI_TIMEOUT,
        check=False,
    )
    leftovers = [
        (client.volumes, f"{name}_pgdata"),
        (client.networks, f"{name}_default"),
        *((client.secrets, f"{name}_{key}_v1") for key in planted),
    ]
    wait_until(
        lambda: _remove_all(leftovers),
        timeout=90,
        what=f"the volume, network and secrets of stack {name} to be removed",
    )


def _remove_all(leftovers: list[tuple[Any, str]]) -> bool:
    """Try every removal, not only up to the first that fails; True when done."""
    still_there = [item for kind, item in leftovers if not _removed(kind, item)]
    return not still_there


def _removed(collection: Any, name: str) -> bool:
    """Remove a volume, network or secret by name; False while still in use."""
    try:
        collection.get(name).remove()
    except NotFound:
        return True
    except APIError:
        return False
    return True


def test_every_replica_is_healthy_and_ready(deployment: Deployment) -> None:
    """Two replicas, each healthy and each answering /readyz with 200."""
    statuses = [status_inside(c, "/readyz") for c in deployment.replicas]

    assert statuses == [200] * REPLICAS


def test_versioned_secrets_are_mounted_0400_root_at_stable_names(
    swarm: docker.DockerClient, deployment: Deployment
) -> None:
    """`<name>_v1` appears as /run/secrets/<name>, mode 0400, uid and gid 0."""
    spec = swarm.api.inspect_service(f"{deployment.name}_app")["Spec"]
    references = spec["TaskTemplate"]["ContainerSpec"]["Secrets"]

    assert {r["File"]["Name"]: r["SecretName"] for r in references} == {
        key: f"{deployment.name}_{key}_v1" for key in SECRET_FILES
    }
    for replica in deployment.replicas:
        for key in SECRET_FILES:
            code, stdout, _ = run_in(
                replica, ["stat", "-c", "%a %u %g", f"/run/secrets/{key}"]
            )
            assert (code, stdout.split()) == (0, ["400", "0", "0"])


def test_updates_start_new_tasks_before_stopping_old_ones(
    swarm: docker.DockerClient, deployment: Deployment
) -> None:
    """Both the update and the rollback of the app are start-first."""
    spec = swarm.api.inspect_service(f"{deployment.name}_app")["Spec"]

    assert spec["UpdateConfig"]["Order"] == "start-first"
    assert spec["RollbackConfig"]["Order"] == "start-first"


def test_env_file_has_the_password_and_is_private(deployment: Deployment) -> None:
    """In each replica the .env is 0600, the app user's, with the real password."""
    for replica in deployment.replicas:
        assert_env_file_private(replica, ENV_FILE)
        assert read_env_file(replica, ENV_FILE)["POSTGRES_PASSWORD"] == PASSWORD


def test_server_process_runs_as_app_in_every_replica(deployment: Deployment) -> None:
    """uvicorn runs as uid and gid 10001 with no capabilities, in each replica."""
    for replica in deployment.replicas:
        assert_server_runs_as_app(replica)


def test_secret_files_are_unreadable_to_app(deployment: Deployment) -> None:
    """The swarm secrets, 0400 root, cannot be read by the app user."""
    paths = [f"/run/secrets/{key}" for key in SECRET_FILES]

    for replica in deployment.replicas:
        assert_unreadable_by_app(replica, paths)


def test_no_planted_value_in_logs_or_inspect(
    swarm: docker.DockerClient, deployment: Deployment
) -> None:
    """No secret in any task's logs or inspect data, nor in the services'."""
    services = [
        swarm.api.inspect_service(f"{deployment.name}_{service}")
        for service in ("app", "db")
    ]

    assert_not_leaked(
        swarm,
        [*deployment.replicas, deployment.db],
        deployment.planted.values(),
        also_inspect=services,
    )


def test_docker_stop_exits_0_within_10_seconds(deployment: Deployment) -> None:
    """Each replica's container stops cleanly (runs last: it ends them)."""
    for replica in deployment.replicas:
        assert_stops_cleanly(replica)
