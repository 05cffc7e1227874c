"""`secretsctl rotate KEY --service SERVICE`: a new version, rolled out safely.

The new value comes from the key's recipe, or from stdin. The service keeps
reading the key at the same target path, now backed by the new version; its
other secrets keep their ids, uid, gid and mode. When the rollout does not
converge the service is put back on the old version, the new one is removed,
and the command fails.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, replace
from typing import Any, NoReturn

from entrypoint.errors import ConfigError, EntrypointError, UsageError
from entrypoint.manifest import Entry, load
from secretsctl.generate.recipes import make, recipe_for
from secretsctl.options import add_manifest
from secretsctl.swarm import naming
from secretsctl.swarm.engine import Engine, SecretSpec, Service, StoredSecret, connect
from secretsctl.swarm.errors import ConflictError, RolloutError, SwarmError
from secretsctl.swarm.push import add_naming_options
from secretsctl.swarm.references import rebuild, select, target, version_base
from secretsctl.swarm.rollout import Outcome, Policy, wait
from secretsctl.swarm.stale import prune, remove_when_unused
from secretsctl.swarm.values import entry_for, from_stdin
from secretsctl.swarm.versions import Version, create_next

HELP = "store a new version of a key's swarm secret and move a service onto it"
DEFAULT_TIMEOUT_SECONDS = 120.0
# Putting a service back matters more than a quick exit: the way back gets at
# least this long even when --timeout is shorter.
MIN_RECOVERY_SECONDS = 60.0
RESTORE_ATTEMPTS = 5


@dataclass(frozen=True)
class Plan:
    """The service's secret list, which entries serve the key, and its base name."""

    references: list[SecretSpec]
    chosen: list[int]
    base: str

    @property
    def replaced(self) -> list[StoredSecret]:
        return [
            StoredSecret(str(self.references[i]["SecretID"]), self._name(i))
            for i in self.chosen
        ]

    @property
    def old_names(self) -> str:
        return ", ".join(self._name(index) for index in self.chosen)

    def _name(self, index: int) -> str:
        return str(self.references[index]["SecretName"])


@dataclass(frozen=True)
class Rotation:
    """Everything one rotation works with once the new version exists."""

    engine: Engine
    service: Service
    plan: Plan
    version: Version
    policy: Policy


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("key", help="the manifest key to rotate, e.g. JWT_SECRET")
    parser.add_argument(
        "--service", required=True, help="the swarm service that uses the key"
    )
    add_manifest(parser)
    parser.add_argument(
        "--from-stdin",
        action="store_true",
        help="read the new value from stdin instead of the key's recipe",
    )
    add_naming_options(parser)
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT_SECONDS,
        metavar="SECONDS",
        help="how long the rollout may take (default: %(default)g)",
    )
    parser.add_argument(
        "--prune",
        action="store_true",
        help="then remove the key's versions that no service uses",
    )


def run(arguments: argparse.Namespace) -> int:
    """Create the version, roll it out, then recover or prune."""
    if arguments.timeout < 0:
        raise UsageError("--timeout must not be negative", hint="e.g. --timeout 120")
    manifest = load(arguments.manifest)
    entry = entry_for(manifest, arguments.key)
    extra_labels = naming.parse_labels(arguments.label)
    text = from_stdin(entry).text if arguments.from_stdin else make(recipe_for(entry))
    naming.check_name(
        naming.versioned(naming.base_name(entry.file_name, arguments.stack), 1),
        entry.key,
    )

    engine = connect()
    service = engine.service(arguments.service)
    plan = _plan(service, entry, arguments.stack)
    version = create_next(
        engine, entry.key, text, plan.base, extra_labels, reuse_unchanged=False
    )
    print(f"created  {version.describe(entry.key)}")
    rotation = Rotation(engine, service, plan, version, Policy(arguments.timeout))

    try:
        outcome = _roll_out(rotation)
    except KeyboardInterrupt:  # a person gave up waiting: leave no half-rotation
        outcome = Outcome(False, "interrupted while waiting", 0.0)
    if not outcome.converged:
        _recover(rotation, outcome)
    print(f"rolled out {service.name} in {outcome.seconds:.1f} s ({outcome.reason})")
    if arguments.prune:
        prune(engine, plan.base, version.secret, plan.replaced, rotation.policy)
    return 0


def _plan(service: Service, entry: Entry, stack: str | None) -> Plan:
    references = service.references()
    default_base = naming.base_name(entry.file_name, stack)
    chosen = select(references, entry.file_name, default_base)
    if not chosen:
        targets = ", ".join(target(reference) for reference in references) or "none"
        raise ConfigError(
            f"the service {service.name} mounts no secret for {entry.key} (no "
            f"target {entry.file_name}, no secret {default_base}_vN; its targets: "
            f"{targets})",
            hint=f"add one with docker service update --secret-add "
            f"source=NAME,target={entry.file_name} {service.name}",
        )
    return Plan(references, chosen, version_base(references, chosen, default_base))


def _roll_out(rotation: Rotation) -> Outcome:
    """Point the key at the new version and wait; on an API error, drop it."""
    service, secret = rotation.service, rotation.version.secret
    try:
        before = {str(task.get("ID")) for task in service.tasks()}
        print(f"updating {service.name}: {rotation.plan.old_names} -> {secret.name}")
        replacements = dict.fromkeys(rotation.plan.chosen, secret)
        service.update_secrets(rebuild(rotation.plan.references, replacements))
    except EntrypointError:
        remove_when_unused(rotation.engine, secret, rotation.policy)
        raise
    return wait(service, secret.id, rotation.policy, ignore=before)


def _recover(rotation: Rotation, failure: Outcome) -> NoReturn:
    """Put the service back on the old version, drop the new one, and fail."""
    service, plan, secret = rotation.service, rotation.plan, rotation.version.secret
    summary = f"{service.name} did not converge on {secret.name}: {failure.reason}"
    try:
        before = _restore(service, rebuild(plan.references, {}))
    except SwarmError as error:
        raise RolloutError(
            f"{summary}. Putting it back on {plan.old_names} failed too: "
            f"{error.message}",
            hint=f"run docker service rollback {service.name}, then "
            f"docker secret rm {secret.name}",
        ) from None
    policy = replace(
        rotation.policy, timeout=max(rotation.policy.timeout, MIN_RECOVERY_SECONDS)
    )
    back = wait(service, plan.replaced[0].id, policy, ignore=before)
    removed = remove_when_unused(rotation.engine, secret, policy)

    state = "and it converged" if back.converged else f"but {back.reason}"
    fate = "was removed" if removed else "could not be removed yet (still in use)"
    raise RolloutError(
        f"{summary}. It was put back on {plan.old_names}, {state}; "
        f"{secret.name} {fate}",
        hint=f"docker service ps --no-trunc {service.name} shows what the tasks "
        "did; fix the cause (or allow more --timeout), then rotate again",
    )


def _restore(service: Service, references: list[dict[str, Any]]) -> set[str]:
    """Update the service to `references`; returns the task ids from before.

    Docker bumps the service's version while its own update runs, so an
    update based on a stale read is retried with a fresh one.
    """
    attempts_left = RESTORE_ATTEMPTS
    while True:
        service.reload()
        before = {str(task.get("ID")) for task in service.tasks()}
        attempts_left -= 1
        try:
            service.update_secrets(references)
        except ConflictError:
            if attempts_left == 0:
                raise
        else:
            return before
