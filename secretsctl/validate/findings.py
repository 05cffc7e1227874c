"""What every check reports: a finding that names a place, never a value.

A finding's fingerprint is what the allowlist stores. It hashes the rule, the
path and a hash of the matched text, so it survives the line moving but not
the text changing, and reveals nothing usable about a random secret.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

FINGERPRINT_LENGTH = 16

PATTERNS = "patterns"
KNOWN_VALUES = "known-values"
EXAMPLES = "examples"
PERMISSIONS = "permissions"
CHECKS = (PATTERNS, KNOWN_VALUES, EXAMPLES, PERMISSIONS)

HINTS = {
    PATTERNS: "remove the credential and revoke it at its provider; if it is a "
    "fake, add its fingerprint to the allowlist",
    KNOWN_VALUES: "remove the value and rotate the secret; keep files that must "
    "hold it out of git",
    EXAMPLES: "list every key in the example files, with an empty value or a "
    "placeholder for each secret",
    PERMISSIONS: "run `secretsctl validate --fix`, or chmod the path yourself",
}


@dataclass(frozen=True, order=True)
class Finding:
    """One problem at `path:line` (line 0 when it concerns the whole file).

    `encoding` is how a matched value was written ("plain", "base64", ...)
    and is empty for findings about a file rather than its content.
    """

    path: str
    line: int
    rule: str
    check: str
    encoding: str
    message: str
    fingerprint: str

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    @property
    def hint(self) -> str:
        return HINTS[self.check]


def fingerprint(rule: str, path: str, matched: bytes) -> str:
    """A short, stable identifier of a finding that does not depend on its line."""
    inner = hashlib.sha256(matched).hexdigest()
    outer = hashlib.sha256(f"{rule}\0{path}\0{inner}".encode())
    return outer.hexdigest()[:FINGERPRINT_LENGTH]


def finding(
    check: str,
    rule: str,
    where: tuple[str, int],
    *,
    matched: bytes,
    message: str,
    encoding: str = "",
) -> Finding:
    """Build a finding and its fingerprint; `matched` is hashed, never kept."""
    path, line = where
    return Finding(
        path=path,
        line=line,
        rule=rule,
        check=check,
        encoding=encoding,
        message=message,
        fingerprint=fingerprint(rule, path, matched),
    )
