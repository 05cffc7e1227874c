"""Versioned names, Docker's name rules, labels and fingerprints."""

from __future__ import annotations

import pytest

from entrypoint.errors import ConfigError, UsageError
from secretsctl.swarm import naming


@pytest.mark.parametrize(
    ("file_name", "stack", "expected"),
    [
        ("postgres_password", None, "postgres_password"),
        ("postgres_password", "", "postgres_password"),
        ("postgres_password", "prod", "prod_postgres_password"),
    ],
)
def test_base_name_adds_the_stack_prefix(
    file_name: str, stack: str | None, expected: str
) -> None:
    """A stack prefix is joined with an underscore; none means none."""
    assert naming.base_name(file_name, stack) == expected


def test_versioned_name() -> None:
    """Versions are appended as `_vN`."""
    assert naming.versioned("prod_jwt_secret", 12) == "prod_jwt_secret_v12"


@pytest.mark.parametrize(
    "name",
    ["a", "postgres_password_v1", "openai.key-2_v3", "A" * 64, "9lives_v1"],
)
def test_valid_names_pass(name: str) -> None:
    """Names Docker accepts, up to 64 characters, pass."""
    naming.check_name(name, "KEY")


@pytest.mark.parametrize(
    ("name", "complaint"),
    [
        ("a" * 65, "65 characters"),
        ("_leading_v1", "not a valid"),
        ("trailing-", "not a valid"),
        ("has space_v1", "not a valid"),
        ("slash/v1", "not a valid"),
        ("é_v1", "not a valid"),
        ("", "not a valid"),
    ],
)
def test_invalid_names_fail_naming_the_key(name: str, complaint: str) -> None:
    """Too long or badly formed names fail with the key first and a hint."""
    with pytest.raises(ConfigError) as caught:
        naming.check_name(name, "JWT_SECRET")

    assert caught.value.message.startswith("JWT_SECRET: ")
    assert complaint in caught.value.message
    assert caught.value.hint


def test_stack_prefix_counts_towards_the_limit() -> None:
    """A name that fits alone can exceed 64 characters behind a stack prefix."""
    file_name = "f" * 61
    naming.check_name(naming.versioned(naming.base_name(file_name, None), 1), "K")

    with pytest.raises(ConfigError, match="67 characters"):
        naming.check_name(naming.versioned(naming.base_name(file_name, "st"), 1), "K")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("postgres_password_v1", ("postgres_password", 1)),
        ("prod_jwt_v10", ("prod_jwt", 10)),
        ("postgres_password", None),
        ("postgres_password_v0", None),
        ("postgres_password_v01", None),
        ("postgres_password_v1x", None),
        ("_v1", None),
    ],
)
def test_parse_versioned(name: str, expected: tuple[str, int] | None) -> None:
    """Only `base_vN` with N a positive number without leading zeros is versioned."""
    assert naming.parse_versioned(name) == expected


def test_versions_match_the_base_exactly() -> None:
    """A listing by prefix also returns other keys' secrets; they are left out."""
    names = [
        "jwt_v1",
        "jwt_v3",
        "jwt_secret_v7",
        "jwt",
        "prod_jwt_v9",
        "jwt_v2_v5",
    ]

    assert naming.versions("jwt", names) == {1: "jwt_v1", 3: "jwt_v3"}


def test_next_version_follows_the_highest() -> None:
    """The next version is one above the highest, gaps notwithstanding."""
    assert naming.next_version("jwt", []) == 1
    assert naming.next_version("jwt", ["jwt_v1", "jwt_v4", "jwt_secret_v9"]) == 5


def test_fingerprint_is_short_stable_and_keyed_by_key() -> None:
    """12 hex digits; the same value under another key gives another digest."""
    value = "s3cr3t-value-with-enough-entropy"

    digest = naming.fingerprint("JWT_SECRET", value)

    assert len(digest) == 12
    assert int(digest, 16) >= 0
    assert digest == naming.fingerprint("JWT_SECRET", value)
    assert digest != naming.fingerprint("OTHER", value)
    assert digest != naming.fingerprint("JWT_SECRET", value + "x")
    assert digest not in value


def test_labels_carry_key_version_and_fingerprint() -> None:
    """The project's labels come after, and win over, the caller's."""
    labels = naming.labels("JWT_SECRET", 3, "abcdef012345", {"team": "core"})

    assert labels == {
        "team": "core",
        naming.KEY_LABEL: "JWT_SECRET",
        naming.VERSION_LABEL: "3",
        naming.FINGERPRINT_LABEL: "abcdef012345",
    }


def test_parse_labels() -> None:
    """Only the first '=' separates the name from the value."""
    pairs = ["team=core", "note=a=b", "empty="]

    assert naming.parse_labels(pairs) == {"team": "core", "note": "a=b", "empty": ""}


@pytest.mark.parametrize("pair", ["novalue", "=x", naming.KEY_LABEL + "=X"])
def test_bad_labels_are_usage_errors(pair: str) -> None:
    """A label without '=', without a name, or reserved, is refused."""
    with pytest.raises(UsageError):
        naming.parse_labels([pair])
