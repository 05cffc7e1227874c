"""Searching for many needles in one pass, with either backend."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secretsctl.validate.search import (
    AHO_CORASICK,
    REGEX,
    NeedleSearch,
    default_backend,
    trie_pattern,
)

needles = st.lists(st.binary(min_size=1, max_size=6), min_size=1, max_size=12)
haystacks = st.binary(max_size=200)


def naive(found_needles: list[bytes], data: bytes) -> list[tuple[int, bytes]]:
    """Leftmost, then longest, never overlapping: the reference semantics."""
    result = []
    position = 0
    while position < len(data):
        here = [n for n in found_needles if data.startswith(n, position)]
        if here:
            longest = max(here, key=len)
            result.append((position, longest))
            position += len(longest)
        else:
            position += 1
    return result


@given(sample=needles)
def test_the_trie_pattern_matches_exactly_the_needles(sample: list[bytes]) -> None:
    unique = sorted(set(sample))
    pattern = re.compile(trie_pattern(unique))

    for needle in unique:
        assert pattern.fullmatch(needle)
    assert not pattern.fullmatch(b"\xff" * 7)


@given(sample=needles, data=haystacks)
def test_the_regex_backend_finds_leftmost_longest(
    sample: list[bytes], data: bytes
) -> None:
    search = NeedleSearch(sample, REGEX)

    assert list(search.find(data)) == naive(sample, data)


@given(sample=needles, data=haystacks)
def test_the_automaton_backend_agrees_with_the_regex_one(
    sample: list[bytes], data: bytes
) -> None:
    pytest.importorskip("ahocorasick")
    automaton = NeedleSearch(sample, AHO_CORASICK)

    assert list(automaton.find(data)) == naive(sample, data)


def test_no_needles_find_nothing() -> None:
    assert list(NeedleSearch([], REGEX).find(b"anything")) == []
    assert NeedleSearch([b""], REGEX).count == 0


def test_the_default_backend_is_one_of_the_two() -> None:
    assert default_backend() in (AHO_CORASICK, REGEX)
