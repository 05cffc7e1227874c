"""The project's own docker-compose.yml, brought up by testcontainers.

The secrets are generated into a temporary folder (SECRETS_DIR), one of them
a PostgreSQL password full of characters that mean something in a URL; a
200 from /readyz proves the entrypoint's URL-encoded DATABASE_URL reached the
real server with the real password.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest
from docker.models.containers import Container
from integration.helpers import (
    SECRET_FILES,
    assert_env_file_private,
    assert_not_leaked,
    assert_server_runs_as_app,
    assert_stops_cleanly,
    assert_unreadable_by_app,
    logs_of,
    read_env_file,
    run_in,
    status_on_host,
    wait_until,
    write_secret_files,
)
from testcontainers.compose import DockerCompose

import docker

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "p@ss:w/rd%2F #frag?q='it' s"
# Bit numbers from linux/capability.h: CHOWN, DAC_READ_SEARCH, SETGID, SETUID.
ENTRYPOINT_CAPABILITIES = (0, 2, 6, 7)


@dataclass(frozen=True)
class Stack:
    """The running compose project: its two containers and the app's port."""

    app: Container
    db: Container
    port: int
    planted: dict[str, str]


@pytest.fixture(scope="module")
def stack(
    docker_client: docker.DockerClient,
    images: dict[str, str],
    labels: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Stack]:
    """docker-compose.yml up and healthy, with labels added by an override."""
    work = tmp_path_factory.mktemp("compose")
    planted = {name: secrets.token_urlsafe(24) for name in SECRET_FILES}
    planted["postgres_password"] = PASSWORD
    write_secret_files(work / "secrets", planted)
    env_file = _env_file(work, images)
    override = work / "labels.yml"
    override.write_text(json.dumps(_labels_override(labels)))

    compose = DockerCompose(
        ROOT,
        compose_file_name=[str(ROOT / "docker-compose.yml"), str(override)],
        env_file=str(env_file),
        wait=True,
    )
    with compose:
        app = docker_client.containers.get(_container_id(compose, "app"))
        db = docker_client.containers.get(_container_id(compose, "db"))
        port = int(compose.get_service_port("app", 8000) or 0)
        yield Stack(app, db, port, planted)


def _container_id(compose: DockerCompose, service: str) -> str:
    """The id of the service's container, which compose lists once it is up."""
    container_id = compose.get_container(service).ID
    assert container_id, f"compose reports no container for {service}"
    return container_id


def _env_file(work: Path, images: dict[str, str]) -> Path:
    """Images as built here, a project of its own, a random loopback port."""
    settings = {
        **images,
        "COMPOSE_PROJECT_NAME": f"se-test-{uuid.uuid4().hex[:8]}",
        "SECRETS_DIR": str(work / "secrets"),
        "APP_PORT": "0",
    }
    path = work / "compose.env"
    path.write_text("".join(f"{key}={value}\n" for key, value in settings.items()))
    return path


def _labels_override(labels: dict[str, str]) -> dict[str, object]:
    """A compose file that puts the session's labels on what compose creates."""
    return {
        "services": {"app": {"labels": labels}, "db": {"labels": labels}},
        "networks": {"default": {"labels": labels}},
        "volumes": {"pgdata": {"labels": labels}},
    }


def test_readyz_is_200_with_a_password_full_of_url_characters(stack: Stack) -> None:
    """The app reached PostgreSQL with the password `@ : / % # ? '` and spaces."""
    wait_until(
        lambda: status_on_host(stack.port, "/readyz") == 200,
        timeout=30,
        what="/readyz to answer 200",
        describe=lambda: logs_of(stack.app),
    )


def test_port_is_published_on_the_loopback_only(stack: Stack) -> None:
    """APP_PORT=0 gives a free port, bound to 127.0.0.1 and nothing else."""
    bindings = stack.app.attrs["NetworkSettings"]["Ports"]["8000/tcp"]

    assert [binding["HostIp"] for binding in bindings] == ["127.0.0.1"]
    assert stack.port > 0


def test_env_file_carries_the_password_and_its_url_encoding(stack: Stack) -> None:
    """The .env has the password as it is, and URL-encoded in DATABASE_URL."""
    values = read_env_file(stack.app)
    url = urlsplit(values["DATABASE_URL"])

    assert values["POSTGRES_PASSWORD"] == PASSWORD
    assert unquote(url.password or "") == PASSWORD
    assert (url.hostname, url.port, url.path) == ("db", 5432, "/notionassistant")


def test_env_file_is_0600_app_owned_on_a_tmpfs(stack: Stack) -> None:
    """The .env is private to the app user and lives in memory only."""
    assert_env_file_private(stack.app)
    code, filesystem, _ = run_in(stack.app, ["stat", "-f", "-c", "%T", "/run/app"])

    assert (code, filesystem.strip()) == (0, "tmpfs")


def test_app_container_is_read_only_with_four_capabilities(stack: Stack) -> None:
    """Read-only root, no-new-privileges, and only the entrypoint's capabilities.

    The kernel's bounding set of the server process holds exactly CHOWN,
    DAC_READ_SEARCH, SETGID and SETUID; its effective set is empty.
    """
    host = stack.app.attrs["HostConfig"]
    server = assert_server_runs_as_app(stack.app)

    assert host["ReadonlyRootfs"] is True
    assert "no-new-privileges:true" in host["SecurityOpt"]
    assert server.cap_bounding == sum(1 << bit for bit in ENTRYPOINT_CAPABILITIES)


def test_server_process_runs_as_app_not_root(stack: Stack) -> None:
    """uvicorn runs as uid and gid 10001, as PID 1 (exec mode)."""
    server = assert_server_runs_as_app(stack.app)

    assert server.pid == 1


def test_secret_files_are_unreadable_to_app(stack: Stack) -> None:
    """File secrets keep the host file's 0600 root: the app user cannot read them."""
    assert_unreadable_by_app(stack.app, [f"/run/secrets/{n}" for n in SECRET_FILES])


def test_no_planted_value_in_logs_or_inspect(
    docker_client: docker.DockerClient, stack: Stack
) -> None:
    """Neither container's logs nor inspect data hold a secret or its encoding."""
    planted = [*stack.planted.values(), quote(PASSWORD, safe="")]

    assert_not_leaked(docker_client, [stack.app, stack.db], planted)


def test_docker_stop_exits_0_within_10_seconds(stack: Stack) -> None:
    """The app container stops cleanly (runs last: it ends the app)."""
    assert_stops_cleanly(stack.app)
