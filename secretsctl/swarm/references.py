"""Point one key of a service at a new secret version, keeping everything else.

`service.update(secrets=...)` replaces the service's whole secret list, so
the list is rebuilt from the current spec: every reference keeps its target
file, uid, gid and mode, and only the rotated key's references change their
secret id and name. A key is found by its target file (the manifest's file
name, as in a stack file's `target: postgres_password`), or failing that by
its versioned secret name (`postgres_password_v3`).
"""

from __future__ import annotations

import copy
import posixpath
from collections.abc import Mapping, Sequence
from typing import Any

from entrypoint.errors import ConfigError
from secretsctl.swarm.engine import SecretSpec, StoredSecret
from secretsctl.swarm.naming import parse_versioned

DEFAULT_MODE = 0o444  # what Docker uses when a reference gives no mode


def select(references: Sequence[SecretSpec], file_name: str, base: str) -> list[int]:
    """Indexes of the references that serve the key, by target then by name."""
    by_target = [
        index
        for index, reference in enumerate(references)
        if target(reference) == file_name
    ]
    if by_target:
        return by_target
    return [
        index
        for index, reference in enumerate(references)
        if _base_of(str(reference.get("SecretName", ""))) == base
    ]


def target(reference: SecretSpec) -> str:
    """The file name a reference mounts under /run/secrets."""
    file = reference.get("File") or {}
    return posixpath.basename(str(file.get("Name", "")))


def version_base(
    references: Sequence[SecretSpec], chosen: Sequence[int], default: str
) -> str:
    """The versioned base name the chosen references share, else `default`."""
    bases = set()
    for index in chosen:
        parsed = parse_versioned(str(references[index].get("SecretName", "")))
        if parsed is not None:
            bases.add(parsed[0])
    if len(bases) > 1:
        raise ConfigError(
            f"the service mounts {', '.join(sorted(bases))} for one key",
            hint="mount one secret per key before rotating it",
        )
    return bases.pop() if bases else default


def rebuild(
    references: Sequence[SecretSpec], replacements: Mapping[int, StoredSecret]
) -> list[dict[str, Any]]:
    """The full secret list, with the references at `replacements` repointed."""
    from docker.types import SecretReference  # noqa: PLC0415 - SDK on demand

    rebuilt: list[dict[str, Any]] = []
    for index, reference in enumerate(references):
        secret = replacements.get(index)
        secret_id = secret.id if secret else str(reference["SecretID"])
        secret_name = secret.name if secret else str(reference["SecretName"])
        file = reference.get("File")
        if file is None:
            # A runtime secret (a Windows credential spec) has no file to keep.
            kept = copy.deepcopy(dict(reference))
            rebuilt.append({**kept, "SecretID": secret_id, "SecretName": secret_name})
            continue
        mode = file.get("Mode")
        rebuilt.append(
            SecretReference(
                secret_id,
                secret_name,
                filename=file.get("Name"),
                uid=file.get("UID"),
                gid=file.get("GID"),
                mode=DEFAULT_MODE if mode is None else mode,
            )
        )
    return rebuilt


def _base_of(name: str) -> str:
    parsed = parse_versioned(name)
    return parsed[0] if parsed else name
