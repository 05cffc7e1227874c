"""The app image under a plain `docker run`, secrets given without /run/secrets.

Secret values come from `KEY_FILE` pointers to root-only files and from a
plain variable; the entrypoint turns them into the `.env` the app reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from integration.helpers import (
    ENV_FILE,
    assert_env_file_private,
    assert_not_leaked,
    assert_server_runs_as_app,
    assert_stops_cleanly,
    assert_unreadable_by_app,
    publish_on_loopback,
    read_env_file,
    status_on_host,
    wait_until,
    write_secret_files,
)
from testcontainers.core.container import DockerContainer

import docker

KEY_FILES_DIR = "/run/key-files"
# Given through KEY_FILE pointers: never in the container's configuration.
FILE_SECRETS = {
    "POSTGRES_PASSWORD": "file-pg-pass word@:/%#?'",
    "JWT_SECRET": "file-jwt-secret-3b1f0c5e9a7d4e21",
    "ENCRYPTION_KEY": "file-encryption-key-77c2d9e0",
    "ADMIN_PASSWORD": "file-admin-password-51aa",
}
# Given as a plain variable: Docker shows it in `docker inspect`, which is
# why the README steers secrets to files; it still must not reach the logs.
VARIABLE_SECRET = ("OPENAI_API_KEY", "sk-variable-openai-key-0d9c1e")
SETTINGS = {
    "POSTGRES_HOST": "db.invalid",
    "POSTGRES_USER": "image_test_user",
    "POSTGRES_DB": "image_test_db",
    "LOG_LEVEL": "debug",
}


@pytest.fixture(scope="module")
def key_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One root-only (0600) file per secret, in a folder anyone may pass through."""
    values = {key.lower(): value for key, value in FILE_SECRETS.items()}
    directory = tmp_path_factory.mktemp("key-files")
    return write_secret_files(directory, values, folder_mode=0o711)


@pytest.fixture(scope="module")
def app(
    docker_client: docker.DockerClient,
    images: dict[str, str],
    labels: dict[str, str],
    key_files: Path,
) -> Iterator[DockerContainer]:
    """The app image run with KEY_FILE pointers and variables, serving /healthz."""
    container = (
        DockerContainer(images["APP_IMAGE"], labels=labels)
        .with_volume_mapping(key_files, KEY_FILES_DIR, "ro")
        .with_envs(**SETTINGS, **dict([VARIABLE_SECRET]))
        .with_envs(
            **{f"{key}_FILE": f"{KEY_FILES_DIR}/{key.lower()}" for key in FILE_SECRETS}
        )
    )
    with publish_on_loopback(container, 8000):
        port = int(container.get_exposed_port(8000))
        wrapped = container.get_wrapped_container()
        wait_until(
            lambda: status_on_host(port, "/healthz") == 200,
            timeout=60,
            what="/healthz to answer 200",
            describe=lambda: wrapped.logs().decode(errors="replace"),
        )
        yield container


def test_healthz_answers_200_on_the_published_port(app: DockerContainer) -> None:
    """The server came up behind the entrypoint and answers on 127.0.0.1."""
    port = int(app.get_exposed_port(8000))

    assert status_on_host(port, "/healthz") == 200


def test_env_file_holds_values_from_key_files_and_variables(
    app: DockerContainer,
) -> None:
    """Each KEY_FILE's content and each variable reach the .env unchanged."""
    values = read_env_file(app.get_wrapped_container())

    for key, value in {**FILE_SECRETS, **SETTINGS, **dict([VARIABLE_SECRET])}.items():
        assert values[key] == value, f"{key} differs"
    url = urlsplit(values["DATABASE_URL"])
    assert url.hostname == SETTINGS["POSTGRES_HOST"]
    assert url.username == SETTINGS["POSTGRES_USER"]
    assert unquote(url.password or "") == FILE_SECRETS["POSTGRES_PASSWORD"]
    assert url.path == f"/{SETTINGS['POSTGRES_DB']}"


def test_env_file_is_0600_and_belongs_to_app(app: DockerContainer) -> None:
    """The .env the entrypoint wrote is private to the app user."""
    assert_env_file_private(app.get_wrapped_container(), ENV_FILE)


def test_server_process_runs_as_app_not_root(app: DockerContainer) -> None:
    """In exec mode uvicorn is PID 1, with every uid and gid the app user's."""
    server = assert_server_runs_as_app(app.get_wrapped_container())

    assert server.pid == 1


def test_root_only_key_files_are_unreadable_to_app(app: DockerContainer) -> None:
    """The server cannot read the files it got its secrets from."""
    paths = [f"{KEY_FILES_DIR}/{key.lower()}" for key in FILE_SECRETS]

    assert_unreadable_by_app(app.get_wrapped_container(), paths)


def test_no_planted_value_in_logs_or_inspect(
    docker_client: docker.DockerClient, app: DockerContainer
) -> None:
    """File-borne values appear nowhere; the variable's value not in the logs."""
    container = app.get_wrapped_container()

    assert_not_leaked(docker_client, [container], FILE_SECRETS.values())
    assert VARIABLE_SECRET[1] not in container.logs().decode(errors="replace")


def test_docker_stop_exits_0_within_10_seconds(app: DockerContainer) -> None:
    """uvicorn, exec'd as PID 1, gets SIGTERM and exits 0 (runs last here)."""
    assert_stops_cleanly(app.get_wrapped_container())
