"""What the integration tests check in every running app container.

Each scenario starts the app its own way (docker run, compose, a swarm
stack); once it runs, the same promises hold and are checked here: the
server runs as the app user, the `.env` is 0600 and the app user's, the
mounted secret files stay root's, no planted value leaks into `docker logs`
or `docker inspect`, and `docker stop` ends it cleanly and quickly.
"""

from __future__ import annotations

import io
import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar, cast

from docker.models.containers import Container
from dotenv import dotenv_values
from testcontainers.core.container import DockerContainer

import docker

APP_UID = 10001
APP_USER = str(APP_UID)
ENV_FILE = "/run/app/.env"
PYTHON = "/opt/venv/bin/python"
# The secret files the reference app needs, as docker-compose.yml and
# deploy/stack.yml mount them.
SECRET_FILES = ("postgres_password", "jwt_secret", "encryption_key", "admin_password")
STOP_TIMEOUT = 10

T = TypeVar("T")

# Run inside the container as the app user: every process whose program is
# uvicorn, with its ids from /proc/<pid>/status.
_FIND_SERVER = """
import json, os
found = []
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as stream:
            argv = stream.read().split(b"\\0")
        with open(f"/proc/{pid}/status") as stream:
            status = dict(line.split(":", 1) for line in stream if ":" in line)
    except OSError:
        continue
    if any(os.path.basename(word) == b"uvicorn" for word in argv[:2]):
        found.append({
            "pid": int(pid),
            "uids": [int(n) for n in status["Uid"].split()],
            "gids": [int(n) for n in status["Gid"].split()],
            "cap_effective": int(status["CapEff"], 16),
            "cap_bounding": int(status["CapBnd"], 16),
        })
print(json.dumps(found))
"""

# Run inside the container: GET a path of the app, print the status code.
_GET = """
import sys, urllib.error, urllib.request as request
opener = request.build_opener(request.ProxyHandler({}))
try:
    print(opener.open("http://127.0.0.1:8000" + sys.argv[1], timeout=5).status)
except urllib.error.HTTPError as error:
    print(error.code)
except OSError:
    print(0)
"""


@dataclass(frozen=True)
class ServerProcess:
    """The uvicorn process inside a container, as /proc reports it."""

    pid: int
    uids: tuple[int, ...]
    gids: tuple[int, ...]
    cap_effective: int
    cap_bounding: int


def publish_on_loopback(container: DockerContainer, port: int) -> DockerContainer:
    """Publish `port` on a free host port of 127.0.0.1 only.

    testcontainers publishes on every interface; docker-py's (address, port)
    form pins the address.
    """
    container.ports[f"{port}/tcp"] = ("127.0.0.1", None)  # type: ignore[assignment]
    return container


def wait_until(
    probe: Callable[[], T | None],
    *,
    timeout: float,
    what: str,
    describe: Callable[[], str] = lambda: "",
) -> T:
    """Call `probe` until it returns something truthy, for at most `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(
                f"timed out after {timeout:.0f}s waiting for {what}\n{describe()}"
            )
        time.sleep(0.25)


def run_in(
    container: Container, command: list[str], user: str = "root"
) -> tuple[int, str, str]:
    """Run `command` inside the container: exit code, stdout, stderr."""
    code, output = container.exec_run(command, user=user, demux=True)
    # demux=True makes the output a (stdout, stderr) pair, which the stubs lack.
    stdout, stderr = cast("tuple[bytes | None, bytes | None]", output)
    assert code is not None, "a command run without detach has an exit code"
    return code, (stdout or b"").decode(), (stderr or b"").decode()


def status_inside(container: Container, path: str) -> int:
    """GET `path` from inside the container; 0 when nothing answers."""
    code, stdout, stderr = run_in(container, [PYTHON, "-c", _GET, path], APP_USER)
    assert code == 0, f"probing {path} failed: {stderr}"
    return int(stdout)


def status_on_host(port: int, path: str) -> int:
    """GET `path` on 127.0.0.1:`port`; 0 when nothing answers."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def logs_of(container: Container) -> str:
    """Everything the container wrote to stdout and stderr so far."""
    return container.logs(stdout=True, stderr=True).decode(errors="replace")


def server_processes(container: Container) -> list[ServerProcess]:
    """Every uvicorn process in the container.

    Read as the app user: root in a container has no CAP_SYS_PTRACE, and
    the app user may read its own processes' entries in any case.
    """
    code, stdout, stderr = run_in(container, [PYTHON, "-c", _FIND_SERVER], APP_USER)
    assert code == 0, f"listing processes failed: {stderr}"
    return [
        ServerProcess(
            pid=entry["pid"],
            uids=tuple(entry["uids"]),
            gids=tuple(entry["gids"]),
            cap_effective=entry["cap_effective"],
            cap_bounding=entry["cap_bounding"],
        )
        for entry in json.loads(stdout)
    ]


def read_env_file(container: Container, path: str = ENV_FILE) -> dict[str, str]:
    """The `.env` as python-dotenv reads it, read by the app user."""
    code, stdout, stderr = run_in(container, ["cat", path], APP_USER)
    assert code == 0, f"the app user cannot read {path}: {stderr}"
    values = dotenv_values(stream=io.StringIO(stdout))
    return {key: value or "" for key, value in values.items()}


def assert_server_runs_as_app(container: Container) -> ServerProcess:
    """Exactly one uvicorn runs, and every one of its ids is the app user's."""
    servers = server_processes(container)

    assert len(servers) == 1, f"expected one uvicorn process, found {servers}"
    server = servers[0]
    assert server.uids == (APP_UID,) * 4, f"server uids {server.uids}"
    assert server.gids == (APP_UID,) * 4, f"server gids {server.gids}"
    assert server.cap_effective == 0, f"server capabilities {server.cap_effective:x}"
    return server


def assert_env_file_private(container: Container, path: str = ENV_FILE) -> None:
    """The `.env` is a regular file, mode 0600, owned by the app user."""
    code, stdout, stderr = run_in(container, ["stat", "-c", "%F %a %u %g", path])
    if code != 0:  # root may not traverse the app user's 0700 directory
        code, stdout, stderr = run_in(
            container, ["stat", "-c", "%F %a %u %g", path], APP_USER
        )

    assert code == 0, f"stat {path} failed: {stderr}"
    assert stdout.split() == ["regular", "file", "600", APP_USER, APP_USER]


def assert_unreadable_by_app(container: Container, paths: Iterable[str]) -> None:
    """The app user gets 'Permission denied' for each root-only secret file."""
    for path in paths:
        code, _, stderr = run_in(container, ["cat", path], APP_USER)

        assert code != 0, f"the app user could read {path}"
        assert "Permission denied" in stderr, stderr


def assert_not_leaked(
    client: docker.DockerClient,
    containers: Iterable[Container],
    planted: Iterable[str],
    *,
    also_inspect: Iterable[Mapping[str, object]] = (),
) -> None:
    """No planted value appears in any container's logs or `docker inspect`."""
    planted = [value for value in planted if value]
    assert planted, "nothing planted to look for"
    for container in containers:
        assert container.id, f"{container.name} has no id"
        places = {
            f"docker logs {container.name}": logs_of(container),
            f"docker inspect {container.name}": json.dumps(
                client.api.inspect_container(container.id), ensure_ascii=False
            ),
        }
        _assert_absent(places, planted)
    extra = {
        f"docker inspect #{number}": json.dumps(attrs, ensure_ascii=False)
        for number, attrs in enumerate(also_inspect)
    }
    _assert_absent(extra, planted)


def assert_stops_cleanly(container: Container) -> float:
    """`docker stop` ends the container with exit code 0 within 10 s."""
    started = time.monotonic()
    container.stop(timeout=STOP_TIMEOUT)
    elapsed = time.monotonic() - started
    container.reload()
    state = container.attrs["State"]

    assert state["Status"] == "exited", state
    assert state["ExitCode"] == 0, (
        f"exit code {state['ExitCode']}\n{logs_of(container)}"
    )
    assert elapsed < STOP_TIMEOUT, f"docker stop took {elapsed:.1f}s"
    return elapsed


def write_secret_files(
    directory: Path, values: Mapping[str, str], *, folder_mode: int = 0o700
) -> Path:
    """One file per value, 0600, as `secretsctl generate` makes them.

    A folder that is mounted whole gets `folder_mode` 0711 in the tests, so
    that only each file's own mode keeps the app user out of it.
    """
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    for name, value in values.items():
        path = directory / name
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as stream:
            stream.write(value)
    directory.chmod(folder_mode)
    return directory


def entrypoint_events(logs: str) -> list[dict[str, object]]:
    """The entrypoint's JSON log events, in order; other lines are skipped."""
    events = []
    for line in logs.splitlines():
        if not line.startswith("{"):
            continue
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if isinstance(event, dict) and "event" in event:
            events.append(event)
    return events


def _assert_absent(places: Mapping[str, str], planted: list[str]) -> None:
    for place, text in places.items():
        leaked = [index for index, value in enumerate(planted) if value in text]
        # Name the planted value by position only: the message must not
        # become a leak of its own.
        assert not leaked, f"planted values #{leaked} appear in {place}"
