"""Search a byte string for many needles at once, in one pass.

Both backends report the leftmost occurrence first and, where needles start
at the same place, the longest; matches never overlap. With pyahocorasick
installed an Aho-Corasick automaton does the work (several times faster on
large logs). Without it the needles are folded into a trie written as one
regular expression (`ab(?:c|d(?:e)?)`), so the engine walks shared prefixes
once per position instead of trying every needle in turn.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Iterator
from itertools import groupby
from typing import Protocol

AHO_CORASICK = "aho-corasick"
REGEX = "regex"


class _Backend(Protocol):
    def find(self, data: bytes) -> Iterator[tuple[int, bytes]]: ...


class NeedleSearch:
    """Finds every non-overlapping occurrence of any of the needles."""

    def __init__(self, needles: Iterable[bytes], backend: str | None = None) -> None:
        unique = sorted({needle for needle in needles if needle})
        self.count = len(unique)
        self.backend = backend or default_backend()
        self._impl: _Backend | None = None
        if unique:
            kind = _AutomatonBackend if self.backend == AHO_CORASICK else _RegexBackend
            self._impl = kind(unique)

    def find(self, data: bytes) -> Iterator[tuple[int, bytes]]:
        """(offset, needle) for each occurrence, leftmost first."""
        if self._impl is not None:
            yield from self._impl.find(data)


def default_backend() -> str:
    """Aho-Corasick where pyahocorasick is installed, the regex trie elsewhere."""
    try:
        importlib.import_module("ahocorasick")
    except ImportError:
        return REGEX
    return AHO_CORASICK


class _RegexBackend:
    def __init__(self, needles: list[bytes]) -> None:
        self._pattern = re.compile(trie_pattern(needles))

    def find(self, data: bytes) -> Iterator[tuple[int, bytes]]:
        for found in self._pattern.finditer(data):
            yield found.start(), found.group(0)


class _AutomatonBackend:
    """pyahocorasick's unicode build, fed bytes as latin-1: one char per byte."""

    def __init__(self, needles: list[bytes]) -> None:
        # Imported by name: the library ships no type information.
        library = importlib.import_module("ahocorasick")
        self._automaton = library.Automaton()
        for needle in needles:
            self._automaton.add_word(needle.decode("latin-1"), len(needle))
        self._automaton.make_automaton()

    def find(self, data: bytes) -> Iterator[tuple[int, bytes]]:
        for end, length in self._automaton.iter_long(data.decode("latin-1")):
            start = int(end) + 1 - int(length)
            yield start, data[start : start + int(length)]


def trie_pattern(needles: list[bytes]) -> bytes:
    """A regular expression matching exactly the sorted, unique `needles`.

    Where one needle is a prefix of another the optional group is greedy, so
    the longer one is matched.
    """
    ends_here = b"" in needles
    branches = []
    for _, group in groupby((n for n in needles if n), key=lambda n: n[:1]):
        members = list(group)
        common = _common_prefix(members)
        rest = trie_pattern([member[len(common) :] for member in members])
        branches.append(re.escape(common) + rest)

    if not branches:
        return b""
    body = branches[0] if len(branches) == 1 else b"(?:" + b"|".join(branches) + b")"
    if ends_here:
        return b"(?:" + body + b")?"
    return body


def _common_prefix(members: list[bytes]) -> bytes:
    """The prefix all of the sorted `members` share: that of the first and last."""
    first, last = members[0], members[-1]
    size = 0
    while size < min(len(first), len(last)) and first[size] == last[size]:
        size += 1
    return first[:size]
