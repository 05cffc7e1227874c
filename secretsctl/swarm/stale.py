"""Old secret versions: removed once no service uses them.

Swarm refuses to remove a secret that a service still references, and a
service whose update just finished may hold on to it for a moment, so
removal is retried for a while before it is reported as still in use.
"""

from __future__ import annotations

from collections.abc import Iterable

from secretsctl.swarm.engine import Engine, StoredSecret
from secretsctl.swarm.rollout import Policy
from secretsctl.swarm.versions import existing

REMOVE_WAIT_SECONDS = 30.0


def remove_when_unused(engine: Engine, secret: StoredSecret, policy: Policy) -> bool:
    """Remove `secret`, retrying while it is in use; False if it stayed in use."""
    deadline = policy.clock() + REMOVE_WAIT_SECONDS
    while not engine.remove_secret(secret):
        if policy.clock() >= deadline:
            return False
        policy.sleep(policy.poll)
    return True


def prune(
    engine: Engine,
    base: str,
    keep: StoredSecret,
    replaced: Iterable[StoredSecret],
    policy: Policy,
) -> list[str]:
    """Remove every version of `base` (and the replaced secrets) no service uses.

    Returns the names removed; prints one line per candidate.
    """
    used = engine.used_secret_ids()
    candidates = {secret.id: secret for secret in existing(engine, base).values()}
    candidates.update({secret.id: secret for secret in replaced})
    candidates.pop(keep.id, None)

    removed = []
    for secret in sorted(candidates.values(), key=lambda secret: secret.name):
        if secret.id in used:
            print(f"kept     {secret.name}: used by the service {used[secret.id]}")
        elif remove_when_unused(engine, secret, policy):
            print(f"pruned   {secret.name}")
            removed.append(secret.name)
        else:
            print(f"kept     {secret.name}: still in use")
    return removed
