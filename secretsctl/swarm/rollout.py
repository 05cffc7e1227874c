"""Watch a service update converge on a secret version, or fail.

Docker's update status alone is not enough: on Docker 20.10 an update whose
new task exits at once is reported `completed` while swarm keeps restarting
the task. So a rollout counts as converged only when the update is neither
running nor failed, the service's tasks all run with the new secret, no task
started with it has failed, and all of that has held for a stable period.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Literal

from secretsctl.swarm.engine import Service, Task

FAILED_UPDATE_STATES = frozenset(
    {"paused", "rollback_started", "rollback_paused", "rollback_completed"}
)
SETTLED_UPDATE_STATES = frozenset({"completed"})
FAILED_TASK_STATES = frozenset({"failed", "rejected"})
DEFAULT_STABLE_SECONDS = 3.0
DEFAULT_POLL_SECONDS = 0.5


@dataclass(frozen=True)
class Policy:
    """How long to wait, how long convergence must hold, how often to look."""

    timeout: float
    stable: float = DEFAULT_STABLE_SECONDS
    poll: float = DEFAULT_POLL_SECONDS
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


@dataclass(frozen=True)
class Verdict:
    """What one look at the service shows."""

    state: Literal["converged", "pending", "failed"]
    reason: str


@dataclass(frozen=True)
class Snapshot:
    """One look at a service: its update's state and message, tasks, replicas."""

    update_state: str | None
    message: str
    tasks: Sequence[Task]
    replicas: int | None


@dataclass(frozen=True)
class Outcome:
    """How a wait ended, why, and after how long."""

    converged: bool
    reason: str
    seconds: float


def wait(
    service: Service, secret_id: str, policy: Policy, ignore: Collection[str] = ()
) -> Outcome:
    """Poll until the service converges on `secret_id`, fails, or times out.

    Tasks whose ids are in `ignore` (those from before the update) cannot
    fail the rollout: an old failure says nothing about the new version.
    """
    start = policy.clock()
    stable_since: float | None = None
    while True:
        service.reload()
        state, message = service.update_state()
        snapshot = Snapshot(state, message, service.tasks(), service.replicas())
        verdict = assess(snapshot, secret_id, ignore)
        now = policy.clock()
        if verdict.state == "failed":
            return Outcome(False, verdict.reason, now - start)
        if verdict.state == "pending":
            stable_since = None
        elif stable_since is None:
            stable_since = now
        if stable_since is not None and now - stable_since >= policy.stable:
            return Outcome(True, verdict.reason, now - start)
        if now - start >= policy.timeout:
            reason = f"timed out after {policy.timeout:g} s ({verdict.reason})"
            return Outcome(False, reason, now - start)
        policy.sleep(policy.poll)


def assess(snapshot: Snapshot, secret_id: str, ignore: Collection[str] = ()) -> Verdict:
    """Judge one look at a service against the secret it should run with."""
    state = snapshot.update_state
    if state in FAILED_UPDATE_STATES:
        detail = f": {snapshot.message}" if snapshot.message else ""
        return Verdict("failed", f"the update is {state}{detail}")
    failed = _first_failed(snapshot.tasks, secret_id, ignore)
    if failed is not None:
        return Verdict("failed", failed)
    if state is not None and state not in SETTLED_UPDATE_STATES:
        return Verdict("pending", f"the update is {state}")

    wanted = [task for task in snapshot.tasks if task.get("DesiredState") == "running"]
    ready = [task for task in wanted if uses(task, secret_id) and _running(task)]
    expected = max(len(wanted), snapshot.replicas or 0)
    if len(ready) < expected:
        return Verdict("pending", f"{len(ready)} of {expected} tasks run it")
    return Verdict("converged", f"{len(ready)} of {expected} tasks run it")


def uses(task: Task, secret_id: str) -> bool:
    """Whether the task was started with the secret `secret_id`."""
    spec = (task.get("Spec") or {}).get("ContainerSpec") or {}
    return any(ref.get("SecretID") == secret_id for ref in spec.get("Secrets") or [])


def _running(task: Task) -> bool:
    return bool((task.get("Status") or {}).get("State") == "running")


def _first_failed(
    tasks: Sequence[Task], secret_id: str, ignore: Collection[str]
) -> str | None:
    for task in tasks:
        status = task.get("Status") or {}
        state = status.get("State")
        if task.get("ID") in ignore or state not in FAILED_TASK_STATES:
            continue
        if uses(task, secret_id):
            detail = status.get("Err") or status.get("Message") or "no detail"
            return f"a task with it {state}: {detail}"
    return None
