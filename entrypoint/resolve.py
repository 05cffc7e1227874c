"""Decide each key's value: precedence, references, required keys, secret-ness.

Precedence, highest first: a file in the secrets directory, the file named by
`KEY_FILE`, the variable `KEY`, the manifest's default. A `@secret` key never
takes its default: that is a placeholder for people copying the manifest.
"""

from __future__ import annotations

import os
from typing import NamedTuple

from entrypoint.errors import ConfigError
from entrypoint.manifest import Entry, Manifest, Reference
from entrypoint.sources import Found, from_environment, from_key_file, scan_directory


class Value(NamedTuple):
    """A resolved value that knows whether it is secret.

    Its text is left out of `repr`, so printing, logging or a traceback's
    locals cannot show it by accident.
    """

    key: str
    text: str
    source: str
    origin: str
    secret: bool

    def __repr__(self) -> str:
        return (
            f"Value(key={self.key!r}, source={self.source!r}, "
            f"secret={self.secret}, text=<hidden>)"
        )


class Status(NamedTuple):
    """One row of the `--check` table."""

    key: str
    source: str
    state: str


class Resolution:
    """Everything resolution learnt, problems included."""

    def __init__(self, problems: list[str], undeclared: list[str]) -> None:
        self.values: dict[str, Value] = {}
        self.statuses: list[Status] = []
        self.problems = problems
        self.undeclared = undeclared
        self.shadowed: list[str] = []
        self.consumed_variables: list[str] = []
        self.manifest_secret_keys: list[str] = []

    def __repr__(self) -> str:
        return f"Resolution(values={self.values!r}, problems={self.problems!r})"

    def raise_for_problems(self) -> None:
        if self.problems:
            lines = "\n".join(f"  - {problem}" for problem in self.problems)
            raise ConfigError(
                f"configuration has {len(self.problems)} problem(s):\n{lines}",
                hint="fix each item above, or run with --check to see every key",
            )

    @property
    def secret_keys(self) -> list[str]:
        return [key for key, value in self.values.items() if value.secret]


def resolve(
    manifest: Manifest | None,
    secrets_dir: str | os.PathLike[str],
    environ: dict[str, str],
) -> Resolution:
    """Resolve every key from every source and collect every problem."""
    scan = scan_directory(secrets_dir, manifest)
    resolution = Resolution(list(scan.problems), scan.undeclared)
    if manifest is None:
        for key, found in scan.found.items():
            resolution.values[key] = _value(found, secret=True)
            resolution.statuses.append(Status(key, found.source, "ok"))
        return resolution

    resolution.manifest_secret_keys = [
        key for key, entry in manifest.entries.items() if entry.secret
    ]
    chosen = _found_for_manifest(manifest, scan.found, environ, resolution)
    values = _values_for_manifest(manifest, chosen)
    missing = []
    for entry in manifest.entries.values():
        value = values.get(entry.key)
        if value is not None:
            resolution.values[entry.key] = value
        status = _status(entry, value)
        resolution.statuses.append(status)
        if status.state == "missing":
            missing.append(_looked_in(entry, secrets_dir))
    if missing:
        resolution.problems.append("required keys are missing: " + "; ".join(missing))
    return resolution


def _found_for_manifest(
    manifest: Manifest,
    in_directory: dict[str, Found],
    environ: dict[str, str],
    resolution: Resolution,
) -> dict[str, Found]:
    found: dict[str, Found] = {}
    for key in manifest.entries:
        from_file = from_key_file(key, environ, resolution.problems)
        if f"{key}_FILE" in environ:
            resolution.consumed_variables.append(f"{key}_FILE")
        from_env = from_environment(key, environ, resolution.problems)
        chosen = in_directory.get(key) or from_file or from_env
        if chosen is not None:
            found[key] = chosen
        if key in in_directory and (from_file or from_env):
            resolution.shadowed.append(key)
    return found


def _values_for_manifest(
    manifest: Manifest, found: dict[str, Found]
) -> dict[str, Value]:
    """Values from the sources, then defaults, each after what it refers to.

    The manifest has already rejected unknown references and cycles, so the
    recursion in `settle` ends.
    """
    values = {
        key: _value(item, secret=manifest.entries[key].secret)
        for key, item in found.items()
    }
    settled: set[str] = set(values)

    def settle(entry: Entry) -> None:
        if entry.key in settled:
            return
        settled.add(entry.key)
        if entry.secret:
            return
        for reference in entry.references:
            settle(manifest.entries[reference.key])
        values[entry.key] = _expand_default(entry, values)

    for entry in manifest.entries.values():
        settle(entry)
    return values


def _expand_default(entry: Entry, values: dict[str, Value]) -> Value:
    """Build a default from its parts; secret if any referenced value is.

    A reference to an optional key that has no value expands to nothing.
    """
    parts = []
    secret = False
    for part in entry.default:
        if isinstance(part, Reference):
            referenced = values.get(part.key)
            if referenced is None:
                continue
            secret = secret or referenced.secret
            parts.append(_apply(part, referenced.text))
        else:
            parts.append(part)
    source = "derived" if entry.references else "default"
    return Value(entry.key, "".join(parts), source, "manifest", secret)


def _apply(reference: Reference, text: str) -> str:
    if reference.filter == "url":
        # Imported here: only manifests that build URLs pay for it.
        from urllib.parse import quote  # noqa: PLC0415

        return quote(text, safe="")
    return text


def _value(found: Found, *, secret: bool) -> Value:
    return Value(found.key, found.text, found.source, found.origin, secret)


def _status(entry: Entry, value: Value | None) -> Status:
    if value is not None and (value.text or not entry.required):
        return Status(entry.key, f"{value.source}:{value.origin}", "ok")
    state = "missing" if entry.required else "unset"
    return Status(entry.key, "-", state)


def _looked_in(entry: Entry, secrets_dir: str | os.PathLike[str]) -> str:
    places = [
        f"{secrets_dir}/{entry.file_name}",
        f"${entry.key}_FILE",
        f"${entry.key}",
    ]
    if not entry.secret:
        places.append("the manifest default")
    return f"{entry.key} (looked in {', '.join(places)})"
