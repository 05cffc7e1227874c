"""The one module that talks to the docker SDK.

The SDK is imported inside functions so that `secretsctl --help` and the
other subcommands never pay for it. Its objects are typed `Any` here because
its stubs leave the swarm calls unannotated; everything this module hands
back is a plain, typed value. Every API failure becomes a `SwarmError` that
says what was being done.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from entrypoint.errors import ConfigError
from secretsctl.swarm.errors import ConflictError, SwarmError

Task = Mapping[str, Any]
SecretSpec = Mapping[str, Any]


@dataclass(frozen=True)
class StoredSecret:
    """A swarm secret as listed: never its value, which swarm does not return."""

    id: str
    name: str
    labels: Mapping[str, str] = field(default_factory=dict)


def connect() -> Engine:
    """An engine for the local Docker client configuration (DOCKER_HOST etc.)."""
    from docker.errors import DockerException  # noqa: PLC0415

    import docker  # noqa: PLC0415 - the SDK is only paid for by swarm commands

    try:
        client = docker.from_env()
        client.ping()
    except DockerException as error:
        raise SwarmError(
            f"no Docker engine answers ({error.__class__.__name__})",
            hint="start the engine (scripts/docker-engine) or set DOCKER_HOST",
        ) from None
    return Engine(client)


@contextlib.contextmanager
def calling(action: str) -> Iterator[None]:
    """Turn an SDK failure during `action` into a `SwarmError` naming it."""
    from docker.errors import APIError, DockerException  # noqa: PLC0415

    try:
        yield
    except APIError as error:
        explanation = str(error.explanation or error)
        kind = ConflictError if "update out of sequence" in explanation else SwarmError
        raise kind(f"cannot {action}: {explanation}", hint=_hint(explanation)) from None
    except DockerException as error:
        raise SwarmError(
            f"cannot {action}: {error.__class__.__name__}",
            hint="check that the Docker engine is running",
        ) from None


def _hint(explanation: str) -> str:
    if "not a swarm manager" in explanation:
        return "run docker swarm init, or point DOCKER_HOST at a swarm manager"
    if "update out of sequence" in explanation:
        return "the service changed meanwhile; run the command again"
    return "read Docker's message above"


class Engine:
    """Swarm secrets and services, through a docker SDK client."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def secrets(self, prefix: str) -> list[StoredSecret]:
        """Secrets whose name starts with `prefix` (callers match exactly)."""
        with calling("list the swarm secrets"):
            found = self._client.secrets.list(filters={"name": prefix})
        return [_stored(secret.attrs) for secret in found]

    def create_secret(
        self, name: str, data: bytes, labels: Mapping[str, str]
    ) -> StoredSecret:
        with calling(f"create the secret {name}"):
            secret = self._client.secrets.create(
                name=name, data=data, labels=dict(labels)
            )
        return StoredSecret(str(secret.id), name, dict(labels))

    def remove_secret(self, secret: StoredSecret) -> bool:
        """Remove a secret; False while a service still uses it."""
        from docker.errors import APIError, NotFound  # noqa: PLC0415

        try:
            self._client.secrets.get(secret.id).remove()
        except NotFound:
            return True
        except APIError as error:
            if "in use" in str(error.explanation):
                return False
            raise SwarmError(
                f"cannot remove the secret {secret.name}: {error.explanation}",
                hint="remove it by hand with docker secret rm",
            ) from None
        return True

    def service(self, name: str) -> Service:
        from docker.errors import NotFound  # noqa: PLC0415

        with calling(f"inspect the service {name}"):
            try:
                model = self._client.services.get(name)
            except NotFound:
                raise ConfigError(
                    f"the service {name} does not exist",
                    hint="docker service ls lists them; a stack's services are "
                    "called STACK_SERVICE",
                ) from None
        return Service(model)

    def used_secret_ids(self) -> dict[str, str]:
        """Every secret id some service references, with one such service."""
        with calling("list the services"):
            services = self._client.services.list()
        used: dict[str, str] = {}
        for model in services:
            for reference in Service(model).references():
                used.setdefault(str(reference.get("SecretID")), model.name)
        return used


class Service:
    """One swarm service: its secret references, its update and its tasks."""

    def __init__(self, model: Any) -> None:
        self._model = model

    @property
    def name(self) -> str:
        return str(self._model.name)

    def references(self) -> list[SecretSpec]:
        """The secret references of the current spec, as Docker returns them."""
        spec = self._model.attrs["Spec"]["TaskTemplate"].get("ContainerSpec", {})
        return list(spec.get("Secrets") or [])

    def update_state(self) -> tuple[str | None, str]:
        """The rolling update's state and message; (None, "") before it starts."""
        status = self._model.attrs.get("UpdateStatus") or {}
        return status.get("State"), str(status.get("Message", ""))

    def replicas(self) -> int | None:
        """The replica count of a replicated service; None for a global one."""
        mode = self._model.attrs["Spec"].get("Mode") or {}
        replicated = mode.get("Replicated")
        return None if replicated is None else int(replicated.get("Replicas", 1))

    def reload(self) -> None:
        with calling(f"inspect the service {self.name}"):
            self._model.reload()

    def tasks(self) -> list[Task]:
        with calling(f"list the tasks of {self.name}"):
            return list(self._model.tasks())

    def update_secrets(self, references: Sequence[SecretSpec]) -> None:
        """Replace the whole secret list; fails if the service changed meanwhile."""
        with calling(f"update the service {self.name}"):
            self._model.update(secrets=list(references))


def _stored(attrs: Mapping[str, Any]) -> StoredSecret:
    spec = attrs.get("Spec") or {}
    return StoredSecret(
        id=str(attrs["ID"]),
        name=str(spec.get("Name", "")),
        labels=dict(spec.get("Labels") or {}),
    )
