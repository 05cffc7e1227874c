"""How swarm secrets are named, versioned and labelled.

A secret for the file `postgres_password` is called `postgres_password_v1`,
then `_v2` and so on, optionally behind a stack prefix (`prod_..._v1`). Swarm
secrets are immutable, so a new value is always a new version; the service
keeps reading it at the same target path.

The fingerprint label lets a person see whether two versions, or a version and
a development file, hold the same value. It is the first 12 hex digits of
SHA-256 over a fixed domain prefix, the key and the value. For the values the
recipes make (at least 128 random bits) it reveals nothing usable: inverting
it means searching the whole value space, and 48 bits cannot even single out
one value. A short human-chosen password pushed from stdin could be guessed
against it offline, as against any unsalted hash: rotate such values into
generated ones.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping

from entrypoint.errors import ConfigError, UsageError

MAX_NAME_LENGTH = 64
LABEL_PREFIX = "org.secrets-entrypoint."
KEY_LABEL = LABEL_PREFIX + "key"
VERSION_LABEL = LABEL_PREFIX + "version"
FINGERPRINT_LABEL = LABEL_PREFIX + "fingerprint"
RESERVED_LABELS = (KEY_LABEL, VERSION_LABEL, FINGERPRINT_LABEL)
FINGERPRINT_DIGITS = 12
_FINGERPRINT_DOMAIN = b"secrets-entrypoint swarm secret fingerprint v1\0"

# swarmkit's own rule for secret names: letters, digits, '_', '.', '-', starting
# and ending with a letter or digit.
_VALID_NAME = re.compile(r"[a-zA-Z0-9]+(?:[a-zA-Z0-9_.-]*[a-zA-Z0-9])?")
_VERSIONED = re.compile(r"(?P<base>.+)_v(?P<version>[1-9][0-9]*)")


def base_name(file_name: str, stack: str | None) -> str:
    """The unversioned name: the file name, behind `STACK_` when given."""
    return f"{stack}_{file_name}" if stack else file_name


def versioned(base: str, version: int) -> str:
    return f"{base}_v{version}"


def check_name(name: str, key: str) -> None:
    """Refuse a name Docker would refuse, before Docker is asked."""
    if len(name) > MAX_NAME_LENGTH:
        raise ConfigError(
            f"{key}: the secret name {name} has {len(name)} characters, more "
            f"than Docker's {MAX_NAME_LENGTH}",
            hint="shorten the key's @file= name or the --stack prefix",
        )
    if not _VALID_NAME.fullmatch(name):
        raise ConfigError(
            f"{key}: the secret name {name!r} is not a valid Docker secret name",
            hint="use letters, digits, '_', '.' and '-', starting and ending "
            "with a letter or digit (check @file= and --stack)",
        )


def parse_versioned(name: str) -> tuple[str, int] | None:
    """(`base`, version) for `base_vN`, or None for an unversioned name."""
    match = _VERSIONED.fullmatch(name)
    if match is None:
        return None
    return match["base"], int(match["version"])


def versions(base: str, names: Iterable[str]) -> dict[int, str]:
    """The existing versions of `base` among `names`, by number."""
    found: dict[int, str] = {}
    for name in names:
        parsed = parse_versioned(name)
        if parsed is not None and parsed[0] == base:
            found[parsed[1]] = name
    return found


def next_version(base: str, names: Iterable[str]) -> int:
    """One more than the highest version there is."""
    return max(versions(base, names), default=0) + 1


def fingerprint(key: str, value: str) -> str:
    """A short, stable digest of `value` under `key` (see the module docstring)."""
    digest = hashlib.sha256(_FINGERPRINT_DOMAIN)
    digest.update(key.encode("utf-8") + b"\0" + value.encode("utf-8"))
    return digest.hexdigest()[:FINGERPRINT_DIGITS]


def labels(
    key: str, version: int, digest: str, extra: Mapping[str, str]
) -> dict[str, str]:
    """The labels of one secret version: the caller's, then the project's."""
    return {
        **extra,
        KEY_LABEL: key,
        VERSION_LABEL: str(version),
        FINGERPRINT_LABEL: digest,
    }


def parse_labels(pairs: Iterable[str]) -> dict[str, str]:
    """`--label KEY=VALUE` options as a mapping."""
    found: dict[str, str] = {}
    for pair in pairs:
        name, separator, value = pair.partition("=")
        if not separator or not name:
            raise UsageError(
                f"--label {pair!r} is not KEY=VALUE",
                hint="write --label org.example.team=payments",
            )
        if name in RESERVED_LABELS:
            raise UsageError(
                f"--label {name} is set by secretsctl itself",
                hint="choose another label name",
            )
        found[name] = value
    return found
