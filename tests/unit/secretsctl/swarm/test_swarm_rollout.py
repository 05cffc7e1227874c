"""When a rollout counts as converged, pending or failed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from secretsctl.swarm.engine import Service
from secretsctl.swarm.rollout import Policy, Snapshot, assess, wait

if TYPE_CHECKING:
    from unit.secretsctl.swarm.conftest import FakeClock


def task(
    secret_id: str,
    state: str = "running",
    desired: str = "running",
    task_id: str = "t1",
    err: str = "",
) -> dict[str, Any]:
    status: dict[str, Any] = {"State": state}
    if err:
        status["Err"] = err
    return {
        "ID": task_id,
        "DesiredState": desired,
        "Status": status,
        "Spec": {"ContainerSpec": {"Secrets": [{"SecretID": secret_id}]}},
    }


def snapshot(
    tasks: list[dict[str, Any]], state: str | None = "completed", replicas: int = 1
) -> Snapshot:
    return Snapshot(state, "", tasks, replicas)


def test_converged_when_every_task_runs_the_new_secret() -> None:
    """Old tasks that were shut down do not hold convergence back."""
    verdict = assess(
        snapshot([task("new"), task("old", "shutdown", "shutdown")]), "new"
    )

    assert verdict.state == "converged"


@pytest.mark.parametrize(
    "state", ["paused", "rollback_started", "rollback_paused", "rollback_completed"]
)
def test_a_failed_update_state_fails(state: str) -> None:
    """Docker's own paused and rollback states end the wait as failures."""
    verdict = assess(snapshot([task("new")], state), "new")

    assert verdict.state == "failed"
    assert state in verdict.reason


def test_a_new_task_that_failed_fails_even_if_docker_says_completed() -> None:
    """Docker 20.10 reports `completed` while it restarts a crashing task."""
    tasks = [task("new", "failed", "shutdown", "t2", "task: non-zero exit (3)")]

    verdict = assess(snapshot(tasks), "new")

    assert verdict.state == "failed"
    assert "non-zero exit (3)" in verdict.reason


def test_failures_from_before_the_update_are_ignored() -> None:
    """A task that failed before the update says nothing about the new version."""
    tasks = [task("new"), task("new", "failed", "shutdown", "old-task")]

    assert assess(snapshot(tasks), "new", ignore={"old-task"}).state == "converged"


def test_pending_while_the_update_runs() -> None:
    """`updating` is never converged, whatever the tasks look like."""
    assert assess(snapshot([task("new")], "updating"), "new").state == "pending"


def test_pending_while_an_old_task_still_runs() -> None:
    """Every task meant to run must use the new secret."""
    tasks = [task("new", task_id="a"), task("old", task_id="b")]

    verdict = assess(snapshot(tasks, None, replicas=2), "new")

    assert verdict.state == "pending"
    assert "1 of 2" in verdict.reason


def test_pending_until_the_replica_count_is_reached() -> None:
    """Between the old task stopping and the new one appearing, nothing runs."""
    assert assess(snapshot([], None), "new").state == "pending"


class ScriptedService(Service):
    """A Service over a fixed sequence of snapshots, one per reload."""

    def __init__(self, snapshots: list[Snapshot]) -> None:
        super().__init__(model=None)
        self._snapshots = snapshots
        self._index = -1

    def reload(self) -> None:
        self._index = min(self._index + 1, len(self._snapshots) - 1)

    def update_state(self) -> tuple[str | None, str]:
        current = self._snapshots[self._index]
        return current.update_state, current.message

    def tasks(self) -> list[Any]:
        return list(self._snapshots[self._index].tasks)

    def replicas(self) -> int | None:
        return self._snapshots[self._index].replicas


def test_wait_requires_convergence_to_hold_for_the_stable_period(
    clock: FakeClock,
) -> None:
    """A task that runs for a moment and then crashes is caught, not accepted."""
    service = ScriptedService(
        [
            snapshot([task("new", task_id="a")]),
            snapshot([task("new", "failed", "shutdown", "a", "exit (1)")]),
        ]
    )
    policy = Policy(timeout=60, stable=3, poll=1, clock=clock, sleep=clock.sleep)

    outcome = wait(service, "new", policy)

    assert not outcome.converged
    assert "exit (1)" in outcome.reason


def test_wait_converges_after_the_stable_period(clock: FakeClock) -> None:
    """Convergence is reported once it has held for the stable period."""
    service = ScriptedService(
        [snapshot([], "updating"), snapshot([task("new")], "completed")]
    )
    policy = Policy(timeout=60, stable=3, poll=1, clock=clock, sleep=clock.sleep)

    outcome = wait(service, "new", policy)

    assert outcome.converged
    assert outcome.seconds == 4


def test_wait_times_out_naming_the_last_state(clock: FakeClock) -> None:
    """A timeout reports how long it waited and what it last saw."""
    service = ScriptedService([snapshot([], "updating")])
    policy = Policy(timeout=10, stable=3, poll=1, clock=clock, sleep=clock.sleep)

    outcome = wait(service, "new", policy)

    assert not outcome.converged
    assert outcome.reason == "timed out after 10 s (the update is updating)"
    assert outcome.seconds == 10


def test_zero_timeout_looks_once(clock: FakeClock) -> None:
    """--timeout 0 takes one look and does not sleep."""
    service = ScriptedService([snapshot([task("new")])])
    policy = Policy(timeout=0, stable=3, poll=1, clock=clock, sleep=clock.sleep)

    assert not wait(service, "new", policy).converged
    assert clock.now == 100.0
