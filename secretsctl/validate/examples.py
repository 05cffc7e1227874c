"""Example files: they exist, list every key in use, and hold placeholders.

`secrets.example` must exist; `.env.example` is checked where present. Each
must list every key the compose and stack files use, and `.env.example` every
key of the manifest too. That they hold only placeholders is checked by
searching them like any tracked file, with the pattern rules and the known
values, whether git tracks them or not: `paths` gives them to the scanner.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from dotenv import dotenv_values

from entrypoint.manifest import Manifest
from entrypoint.sources import key_for_file_name
from secretsctl.validate.compose import COMPOSE_FILES, KeyUse, key_uses
from secretsctl.validate.errors import ValidateError
from secretsctl.validate.files import label
from secretsctl.validate.findings import EXAMPLES, Finding, finding

MANIFEST = "secrets.example"
ENV_EXAMPLE = ".env.example"


@dataclass(frozen=True)
class Examples:
    """Where the project's example and compose files are."""

    project: Path
    manifest_path: Path

    @property
    def env_example(self) -> Path:
        return self.project / ENV_EXAMPLE

    def paths(self) -> list[Path]:
        """The example files that exist, to be searched for real values."""
        candidates = (self.manifest_path, self.env_example)
        return [path for path in candidates if path.is_file()]


def check(examples: Examples, manifest: Manifest | None) -> list[Finding]:
    """Findings for a missing `secrets.example` and for unlisted keys."""
    manifest_label = label(examples.manifest_path, examples.project)
    if manifest is None:
        return [
            finding(
                EXAMPLES,
                "example-missing",
                (manifest_label, 0),
                matched=manifest_label.encode(),
                message=f"{manifest_label} does not exist",
            )
        ]

    uses = compose_uses(examples.project, manifest)
    found = _unlisted(manifest_label, set(manifest.entries), uses)
    if examples.env_example.is_file():
        env_label = label(examples.env_example, examples.project)
        listed = set(_env_keys(examples.env_example))
        from_manifest = [
            KeyUse(entry.key, manifest_label, entry.line, "manifest")
            for entry in manifest.entries.values()
        ]
        found.extend(_unlisted(env_label, listed, [*from_manifest, *uses]))
    return found


def compose_uses(project: Path, manifest: Manifest) -> list[KeyUse]:
    """Every key the compose and stack files in `project` use."""

    def key_for(file_name: str) -> str:
        return manifest.by_file_name.get(file_name) or key_for_file_name(file_name)

    uses: list[KeyUse] = []
    for name in COMPOSE_FILES:
        path = project / name
        if path.is_file():
            uses.extend(key_uses(_read_text(path), name, key_for))
    return uses


def _unlisted(example: str, listed: set[str], uses: Iterable[KeyUse]) -> list[Finding]:
    found: list[Finding] = []
    reported: set[str] = set()
    for use in uses:
        if use.key in listed or use.key in reported:
            continue
        reported.add(use.key)
        found.append(
            finding(
                EXAMPLES,
                "example-missing-key",
                (example, 0),
                matched=use.key.encode(),
                message=f"{use.key} ({use.how} at {use.path}:{use.line}) is not "
                f"listed in {example}",
            )
        )
    return found


def _env_keys(path: Path) -> list[str]:
    try:
        return list(dotenv_values(path, interpolate=False))
    except (OSError, UnicodeDecodeError) as error:
        raise ValidateError(
            f"{path} cannot be read: {error.__class__.__name__}",
            hint="example files must be readable UTF-8 text",
        ) from None


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ValidateError(
            f"{path} cannot be read: {error.__class__.__name__}",
            hint="compose files must be readable UTF-8 text",
        ) from None
