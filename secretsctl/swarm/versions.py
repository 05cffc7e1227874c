"""Create the next version of a key's swarm secret."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from secretsctl.swarm import naming
from secretsctl.swarm.engine import Engine, StoredSecret


@dataclass(frozen=True)
class Version:
    """A secret version: the stored secret, its number and its fingerprint."""

    secret: StoredSecret
    number: int
    fingerprint: str
    created: bool

    def describe(self, key: str) -> str:
        return (
            f"{self.secret.name}  {key} (version {self.number}, "
            f"fingerprint {self.fingerprint})"
        )


def existing(engine: Engine, base: str) -> dict[int, StoredSecret]:
    """The stored versions of `base`, by number."""
    stored = {secret.name: secret for secret in engine.secrets(base)}
    return {
        number: stored[name] for number, name in naming.versions(base, stored).items()
    }


def create_next(
    engine: Engine,
    key: str,
    text: str,
    base: str,
    extra_labels: Mapping[str, str],
    *,
    reuse_unchanged: bool,
) -> Version:
    """Store `text` as the next version of `base`.

    With `reuse_unchanged`, the latest version is returned instead when its
    fingerprint shows it already holds this value, so pushing twice is a no-op.
    """
    digest = naming.fingerprint(key, text)
    versions = existing(engine, base)
    if reuse_unchanged and versions:
        latest = max(versions)
        stored = versions[latest]
        if stored.labels.get(naming.FINGERPRINT_LABEL) == digest:
            return Version(stored, latest, digest, created=False)

    number = max(versions, default=0) + 1
    name = naming.versioned(base, number)
    naming.check_name(name, key)
    labels = naming.labels(key, number, digest, extra_labels)
    secret = engine.create_secret(name, text.encode("utf-8"), labels)
    return Version(secret, number, digest, created=True)
