"""Turn the bytes of each file into findings: pattern rules and known values.

Every file is read once and searched once for all known values in all their
encodings. A finding names the file, line, rule and encoding, and carries a
fingerprint; the matched text itself is dropped as soon as it is hashed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from secretsctl.validate import archives, files, rules
from secretsctl.validate.encodings import encoded_forms
from secretsctl.validate.findings import KNOWN_VALUES, PATTERNS, Finding, finding
from secretsctl.validate.known import KnownValue
from secretsctl.validate.search import NeedleSearch


@dataclass(frozen=True)
class Needle:
    """What an encoded form stands for: the key and the encoding's name."""

    key: str
    encoding: str


@dataclass
class ScanResult:
    """Findings, how many files and archive members were read, and warnings."""

    findings: list[Finding] = field(default_factory=list)
    files: int = 0
    notes: list[str] = field(default_factory=list)


class Scanner:
    """Searches blobs for the pattern rules and for the known values."""

    def __init__(self, known: Iterable[KnownValue], backend: str | None = None) -> None:
        self.needles: dict[bytes, Needle] = {}
        for value in sorted(known, key=lambda value: value.key):
            for encoding, form in encoded_forms(value.value):
                self.needles.setdefault(form, Needle(value.key, encoding))
        self.search = NeedleSearch(self.needles, backend)

    def scan(
        self, blob: archives.Blob, patterns: bool = True, known_values: bool = True
    ) -> list[Finding]:
        """Findings in one blob, from the rules and/or the known values."""
        found: list[Finding] = []
        if patterns:
            lines = _LineCounter(blob.data)
            found.extend(
                finding(
                    PATTERNS,
                    match.rule.name,
                    (blob.label, lines.at(match.start)),
                    matched=match.text,
                    message=f"looks like {match.rule.description}",
                    encoding="plain",
                )
                for match in rules.matches(blob.data)
            )
        if known_values:
            found.extend(self._known(blob, _LineCounter(blob.data)))
        return found

    def _known(self, blob: archives.Blob, lines: _LineCounter) -> Iterator[Finding]:
        for start, text in self.search.find(blob.data):
            needle = self.needles[text]
            yield finding(
                KNOWN_VALUES,
                f"known-value:{needle.key}",
                (blob.label, lines.at(start)),
                matched=text,
                message=f"holds the value of {needle.key} ({needle.encoding})",
                encoding=needle.encoding,
            )


def scan_targets(
    scanner: Scanner, targets: Iterable[files.Target], project: Path
) -> ScanResult:
    """Read and search every target, archives member by member."""
    result = ScanResult()
    labels: set[str] = set()
    for target in targets:
        data = files.read(target, project)
        for blob in archives.expand(target.label, data, result.notes):
            labels.add(blob.label)
            result.findings.extend(
                scanner.scan(blob, target.patterns, target.known_values)
            )
    result.findings = list(unique(result.findings))
    result.files = len(labels)
    return result


def unique(found: Iterable[Finding]) -> Iterator[Finding]:
    """Each finding once, in path and line order.

    A staged file is read from the index and from the work tree; where both
    hold the same line, it is one finding.
    """
    yield from sorted(set(found))


class _LineCounter:
    """Line numbers for increasing offsets without recounting from the start."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._offset = 0
        self._line = 1

    def at(self, offset: int) -> int:
        if offset < self._offset:
            self._offset, self._line = 0, 1
        self._line += self._data.count(b"\n", self._offset, offset)
        self._offset = offset
        return self._line
