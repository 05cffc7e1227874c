"""Allow-listing: a committed file of finding fingerprints that are accepted.

One fingerprint per line, each with a comment saying why, for example

    3f2a9c0d1e4b5a67  # docs/tutorial.md: a made-up key in an example

A fingerprint hashes the rule, the path and the matched text, never the line
number: editing around an accepted finding keeps it accepted, while changing
the text (a real key pasted over the fake one) makes it a finding again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from secretsctl.validate.errors import ValidateError
from secretsctl.validate.findings import FINGERPRINT_LENGTH, Finding

ALLOWLIST = ".secretsctl-allow"

_FINGERPRINT = re.compile(rf"[0-9a-f]{{{FINGERPRINT_LENGTH}}}")


@dataclass(frozen=True)
class Allowlist:
    """The accepted fingerprints and the file they came from."""

    path: Path
    fingerprints: frozenset[str] = frozenset()


@dataclass
class Split:
    """Findings that still count, findings the allowlist accepts, stale entries."""

    kept: list[Finding] = field(default_factory=list)
    allowed: list[Finding] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)


def load(path: Path) -> Allowlist:
    """Read the allowlist; a missing file allows nothing."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Allowlist(path)
    except (OSError, UnicodeDecodeError) as error:
        raise ValidateError(
            f"allowlist {path} cannot be read: {error.__class__.__name__}",
            hint="the allowlist must be a readable UTF-8 text file",
        ) from None
    return parse(text, path)


def parse(text: str, path: Path) -> Allowlist:
    """One fingerprint per line; `#` starts a comment; blank lines are fine."""
    fingerprints = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        entry = raw.split("#", 1)[0].strip()
        if not entry:
            continue
        if not _FINGERPRINT.fullmatch(entry):
            raise ValidateError(
                f"{path}:{number}: expected a fingerprint of "
                f"{FINGERPRINT_LENGTH} lower-case hex digits",
                hint="copy the fingerprint that validate printed for the "
                "finding, then a # comment saying why it is allowed",
            )
        fingerprints.add(entry)
    return Allowlist(path, frozenset(fingerprints))


def split(findings: Iterable[Finding], allowlist: Allowlist) -> Split:
    """Separate accepted findings from the rest; list entries nothing matched."""
    result = Split()
    used: set[str] = set()
    for found in findings:
        if found.fingerprint in allowlist.fingerprints:
            result.allowed.append(found)
            used.add(found.fingerprint)
        else:
            result.kept.append(found)
    result.unused = sorted(allowlist.fingerprints - used)
    return result


def entry(found: Finding) -> str:
    """The allowlist line for a finding, commented with where it was found."""
    return f"{found.fingerprint}  # {found.location}: {found.rule}"
