"""Init mode in the reference image: `docker stop` and uvicorn's exit code.

uvicorn re-raises SIGTERM after a graceful shutdown, so under the resident
entrypoint it dies of the signal and the container would exit 143;
`--success-exit 143` reports that clean stop as 0.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from docker.errors import NotFound
from docker.models.containers import Container
from integration.helpers import (
    APP_UID,
    ENV_FILE,
    SECRET_FILES,
    STOP_TIMEOUT,
    ServerProcess,
    assert_env_file_private,
    assert_not_leaked,
    assert_unreadable_by_app,
    entrypoint_events,
    logs_of,
    server_processes,
    status_inside,
    wait_until,
    write_secret_files,
)
from testcontainers.core.container import DockerContainer

import docker

SERVER = ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]
GRACEFUL_SHUTDOWN = (
    "Shutting down",
    "Waiting for application shutdown.",
    "Application shutdown complete.",
    "Finished server process",
)


@dataclass(frozen=True)
class Case:
    """How init mode is asked for, and the exit code `docker stop` should give."""

    environment: dict[str, str]
    command: list[str]
    expected_exit: int


CASES = {
    "variables": Case(
        {"ENTRYPOINT_INIT": "1", "ENTRYPOINT_SUCCESS_EXIT": "143"}, [], 0
    ),
    "flags": Case({}, ["--init", "--success-exit", "143", "--", *SERVER], 0),
    "no-success-exit": Case({"ENTRYPOINT_INIT": "1"}, [], 143),
}


@dataclass(frozen=True)
class Stopped:
    """A container in init mode, seen running and then after `docker stop`."""

    case: Case
    container: Container
    servers: list[ServerProcess]
    elapsed: float
    exit_code: int
    logs: str


@pytest.fixture(scope="module")
def secrets_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Root-only secret files for every key the app requires."""
    values = {name: f"init-mode-{name}-value-58f3" for name in SECRET_FILES}
    directory = tmp_path_factory.mktemp("secrets")
    return write_secret_files(directory, values, folder_mode=0o711)


@pytest.fixture(scope="module", params=list(CASES.values()), ids=list(CASES))
def stopped(
    request: pytest.FixtureRequest,
    images: dict[str, str],
    labels: dict[str, str],
    secrets_dir: Path,
) -> Iterator[Stopped]:
    """The app image in init mode: serving, checked, then `docker stop`ped."""
    case: Case = request.param
    container = (
        DockerContainer(images["APP_IMAGE"], labels=labels)
        .with_envs(**case.environment)
        .with_volume_mapping(secrets_dir, "/run/secrets", "ro")
    )
    if case.command:
        container.with_command(case.command)
    with container:
        wrapped = container.get_wrapped_container()
        wait_until(
            lambda: status_inside(wrapped, "/healthz") == 200,
            timeout=60,
            what="/healthz to answer 200 in init mode",
            describe=lambda: logs_of(wrapped),
        )
        assert_env_file_private(wrapped, ENV_FILE)
        assert_unreadable_by_app(wrapped, [f"/run/secrets/{n}" for n in SECRET_FILES])
        servers = server_processes(wrapped)

        started = time.monotonic()
        wrapped.stop(timeout=STOP_TIMEOUT)
        elapsed = time.monotonic() - started
        wrapped.reload()
        exit_code = int(wrapped.attrs["State"]["ExitCode"])
        yield Stopped(case, wrapped, servers, elapsed, exit_code, logs_of(wrapped))


def test_exit_code_is_0_with_success_exit_143_and_143_without(
    stopped: Stopped,
) -> None:
    """`--success-exit 143` (flag or variable) makes the clean stop read as 0."""
    assert stopped.exit_code == stopped.case.expected_exit, stopped.logs


def test_entrypoint_saw_uvicorn_die_of_sigterm(stopped: Stopped) -> None:
    """Whatever is reported, the child itself ended by re-raising SIGTERM."""
    events = entrypoint_events(stopped.logs)

    exits = [event for event in events if event["event"] == "command.exited"]
    assert [event["exit_code"] for event in exits] == [143]


def test_uvicorn_shut_down_gracefully_within_10_seconds(stopped: Stopped) -> None:
    """SIGTERM reached uvicorn, which logged its whole shutdown in time."""
    for line in GRACEFUL_SHUTDOWN:
        assert line in stopped.logs, f"uvicorn did not log {line!r}"
    assert stopped.elapsed < STOP_TIMEOUT, f"docker stop took {stopped.elapsed:.1f}s"


def test_server_ran_as_app_under_a_root_pid_1(stopped: Stopped) -> None:
    """The entrypoint stayed PID 1; uvicorn was its child, as the app user."""
    assert [(s.pid != 1, s.uids, s.gids) for s in stopped.servers] == [
        (True, (APP_UID,) * 4, (APP_UID,) * 4)
    ]
    assert stopped.servers[0].cap_effective == 0


def test_env_file_is_removed_after_the_child_exits(stopped: Stopped) -> None:
    """Init mode removes the .env, so a restarted container never finds it."""
    with pytest.raises(NotFound):
        stopped.container.get_archive(ENV_FILE)


def test_no_planted_value_in_logs_or_inspect(
    docker_client: docker.DockerClient, stopped: Stopped
) -> None:
    """The secret files' values are in neither the logs nor the inspect data."""
    planted = [f"init-mode-{name}-value" for name in SECRET_FILES]

    assert_not_leaked(docker_client, [stopped.container], planted)
