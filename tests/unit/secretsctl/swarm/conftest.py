"""A fake docker SDK client: secrets and services that behave like a swarm.

Only the calls `secretsctl.swarm.engine` makes are modelled. A service
update starts a new task at once; the task fails when the update points at a
secret named in the service's `failing` set, as a server would that cannot
use the new value. The update attempts numbered in `refused` (from 0) fail
as Docker fails an update based on an outdated read of the service.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from docker.errors import APIError, NotFound

_ids = itertools.count(1)


def new_id(prefix: str) -> str:
    return f"{prefix}{next(_ids):06d}"


class FakeSecret:
    """An SDK Secret: created ones only know their id, as the real SDK's do."""

    def __init__(self, swarm: FakeDocker, attrs: dict[str, Any]) -> None:
        self._swarm = swarm
        self.attrs = attrs

    @property
    def id(self) -> str:
        return str(self.attrs["ID"])

    def remove(self) -> bool:
        users = self._swarm.services.users_of(self.id)
        if users:
            raise APIError(
                "400 Client Error",
                explanation=f"secret is in use by the following service: {users[0]}",
            )
        del self._swarm.secrets.stored[self.id]
        return True


class FakeSecrets:
    def __init__(self, swarm: FakeDocker) -> None:
        self._swarm = swarm
        self.stored: dict[str, dict[str, Any]] = {}
        self.data: dict[str, bytes] = {}
        self.created: list[str] = []

    def create(self, *, name: str, data: bytes, labels: dict[str, str]) -> FakeSecret:
        if any(attrs["Spec"]["Name"] == name for attrs in self.stored.values()):
            raise APIError("409 Client Error", explanation=f"secret {name} exists")
        secret_id = new_id("sec")
        self.stored[secret_id] = {
            "ID": secret_id,
            "Spec": {"Name": name, "Labels": dict(labels)},
        }
        self.data[secret_id] = data
        self.created.append(name)
        return FakeSecret(self._swarm, {"ID": secret_id})

    def get(self, secret_id: str) -> FakeSecret:
        if secret_id not in self.stored:
            raise NotFound(f"secret {secret_id} not found")
        return FakeSecret(self._swarm, self.stored[secret_id])

    def add(self, name: str, data: bytes = b"x", **labels: str) -> dict[str, Any]:
        """Plant a secret as if pushed earlier; returns a reference to it."""
        self.create(name=name, data=data, labels=labels)
        secret_id = next(
            key for key, attrs in self.stored.items() if attrs["Spec"]["Name"] == name
        )
        return {"SecretID": secret_id, "SecretName": name}

    def names(self) -> list[str]:
        return sorted(attrs["Spec"]["Name"] for attrs in self.stored.values())

    def list(self, *, filters: dict[str, str]) -> list[FakeSecret]:
        prefix = filters.get("name", "")
        return [
            FakeSecret(self._swarm, attrs)
            for attrs in self.stored.values()
            if attrs["Spec"]["Name"].startswith(prefix)
        ]


class FakeService:
    """An SDK Service whose updates converge, or fail, immediately."""

    def __init__(self, name: str, references: list[dict[str, Any]]) -> None:
        self.name = name
        self.failing: set[str] = set()
        self.refused: set[int] = set()
        self.attempts = 0
        self.updates: list[list[dict[str, Any]]] = []
        self.attrs: dict[str, Any] = {
            "Spec": {
                "Name": name,
                "Mode": {"Replicated": {"Replicas": 1}},
                "TaskTemplate": {"ContainerSpec": {"Secrets": references}},
            },
        }
        self._tasks: list[dict[str, Any]] = []
        self._start_task(references)

    @property
    def references(self) -> list[dict[str, Any]]:
        return list(self.attrs["Spec"]["TaskTemplate"]["ContainerSpec"]["Secrets"])

    def reload(self) -> None:
        """Nothing to fetch: the fake's state is always current."""

    def tasks(self) -> list[dict[str, Any]]:
        return [dict(task) for task in self._tasks]

    def update(self, **kwargs: Any) -> dict[str, Any]:
        self.attempts += 1
        if self.attempts - 1 in self.refused:
            raise APIError(
                "500 Server Error",
                explanation="rpc error: update out of sequence",
            )
        references = [dict(reference) for reference in kwargs["secrets"]]
        self.updates.append(references)
        self.attrs["Spec"]["TaskTemplate"]["ContainerSpec"]["Secrets"] = references
        for task in self._tasks:
            task["DesiredState"] = "shutdown"
            if task["Status"]["State"] == "running":
                task["Status"] = {"State": "shutdown"}
        failed = self._start_task(references)
        state = "paused" if failed else "completed"
        self.attrs["UpdateStatus"] = {"State": state, "Message": f"update {state}"}
        return {"Warnings": []}

    def _start_task(self, references: list[dict[str, Any]]) -> bool:
        failed = any(ref["SecretName"] in self.failing for ref in references)
        status = (
            {"State": "failed", "Err": "task: non-zero exit (3)"}
            if failed
            else {"State": "running"}
        )
        self._tasks.append(
            {
                "ID": new_id("task"),
                "DesiredState": "running",
                "Status": status,
                "Spec": {"ContainerSpec": {"Secrets": references}},
            }
        )
        return failed


class FakeServices:
    def __init__(self) -> None:
        self.by_name: dict[str, FakeService] = {}

    def get(self, name: str) -> FakeService:
        if name not in self.by_name:
            raise NotFound(f"service {name} not found")
        return self.by_name[name]

    def add(self, name: str, references: list[dict[str, Any]]) -> FakeService:
        self.by_name[name] = FakeService(name, references)
        return self.by_name[name]

    def users_of(self, secret_id: str) -> list[str]:
        return [
            service.name
            for service in self.by_name.values()
            if any(ref["SecretID"] == secret_id for ref in service.references)
        ]

    def list(self) -> list[FakeService]:
        return list(self.by_name.values())


class FakeDocker:
    """The two collections of a DockerClient that the swarm commands use."""

    def __init__(self) -> None:
        self.secrets = FakeSecrets(self)
        self.services = FakeServices()


class FakeClock:
    """A monotonic clock that advances only when the code sleeps."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def fake_docker() -> FakeDocker:
    return FakeDocker()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
