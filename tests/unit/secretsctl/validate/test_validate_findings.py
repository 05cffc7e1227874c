"""Findings and their fingerprints."""

from __future__ import annotations

import hashlib

from secretsctl.validate.findings import (
    FINGERPRINT_LENGTH,
    KNOWN_VALUES,
    finding,
    fingerprint,
)


def test_the_fingerprint_ignores_the_line() -> None:
    first = finding(
        KNOWN_VALUES, "known-value:K", ("a.txt", 3), matched=b"v" * 9, message="m"
    )
    second = finding(
        KNOWN_VALUES, "known-value:K", ("a.txt", 90), matched=b"v" * 9, message="m"
    )

    assert first.fingerprint == second.fingerprint
    assert len(first.fingerprint) == FINGERPRINT_LENGTH


def test_the_fingerprint_depends_on_rule_path_and_text() -> None:
    base = fingerprint("rule", "a.txt", b"text")

    assert fingerprint("other", "a.txt", b"text") != base
    assert fingerprint("rule", "b.txt", b"text") != base
    assert fingerprint("rule", "a.txt", b"texts") != base


def test_the_fingerprint_does_not_contain_the_text_or_its_plain_hash() -> None:
    """Publishing the fingerprint must not publish a lookup key for the value."""
    text = b"a-secret-value-123"
    result = fingerprint("rule", "a.txt", text)

    assert result not in hashlib.sha256(text).hexdigest()
    assert text.decode() not in result


def test_location_leaves_out_line_zero() -> None:
    whole_file = finding(
        "permissions", "env-file-mode", (".env", 0), matched=b"0644", message="m"
    )
    one_line = finding("patterns", "jwt", ("a.py", 7), matched=b"x", message="m")

    assert whole_file.location == ".env"
    assert one_line.location == "a.py:7"
