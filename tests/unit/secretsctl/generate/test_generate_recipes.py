"""Recipes: sizes, alphabets, randomness, and errors that name the key."""

from __future__ import annotations

import base64
import binascii
import math
import re
import string
from collections import Counter
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from entrypoint.errors import ConfigError, UsageError
from entrypoint.manifest import parse as parse_manifest
from secretsctl.generate.recipes import (
    BCRYPT_MAX_BYTES,
    DEFAULT_PASSWORD_LENGTH,
    READABLE_ALPHABET,
    URL_SAFE_ALPHABET,
    Recipe,
    check_password_length,
    make,
    parse,
    recipe_for,
)

SAMPLES = 300
URL_SAFE = re.compile(r"[A-Za-z0-9_-]+")


def many(recipe: Recipe, length: int = DEFAULT_PASSWORD_LENGTH) -> list[str]:
    return [make(recipe, length) for _ in range(SAMPLES)]


def entropy_bits_per_char(values: list[str]) -> float:
    """Shannon entropy of the characters of all values together."""
    counts = Counter("".join(values))
    total = sum(counts.values())
    return -sum(n / total * math.log2(n / total) for n in counts.values())


def test_password_default_length_and_url_safe_alphabet() -> None:
    """32 characters from letters, digits, '-' and '_': nothing to escape."""
    values = many(Recipe("password"))

    assert all(len(value) == DEFAULT_PASSWORD_LENGTH for value in values)
    assert all(set(value) <= set(URL_SAFE_ALPHABET) for value in values)
    assert len(set(values)) == SAMPLES


def test_password_uses_the_whole_alphabet_evenly() -> None:
    """Close to log2(64) = 6 bits per character over many samples."""
    values = many(Recipe("password"))

    assert set("".join(values)) == set(URL_SAFE_ALPHABET)
    assert entropy_bits_per_char(values) > 5.9


@pytest.mark.parametrize("length", [22, 40, 64])
def test_password_length_from_option_and_from_recipe(length: int) -> None:
    """`--password-length N` and `password:N` both set the length."""
    assert len(make(Recipe("password"), length)) == length
    assert len(make(parse(f"password:{length}", "KEY"))) == length


@pytest.mark.parametrize("size", [16, 32, 48])
def test_token_is_size_random_bytes_as_url_safe_base64(size: int) -> None:
    """`token:N` decodes back to N bytes and needs no URL escaping."""
    values = many(parse(f"token:{size}", "KEY"))

    for value in values:
        assert URL_SAFE.fullmatch(value)
        assert len(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))) == size
    assert len(set(values)) == SAMPLES


@pytest.mark.parametrize("size", [16, 32])
def test_hex_is_size_random_bytes_in_lower_case_hex(size: int) -> None:
    """`hex:N` gives 2N hex digits that decode to N bytes."""
    values = many(parse(f"hex:{size}", "KEY"))

    for value in values:
        assert set(value) <= set(string.hexdigits.lower())
        assert len(binascii.unhexlify(value)) == size
    assert len(set(values)) == SAMPLES
    assert entropy_bits_per_char(values) > 3.9


def test_fernet_key_encrypts_and_decrypts() -> None:
    """The value is a key `cryptography.fernet.Fernet` accepts and can use."""
    key = make(parse("fernet", "ENCRYPTION_KEY"))
    fernet = Fernet(key)

    token = fernet.encrypt(b"round trip")

    assert fernet.decrypt(token) == b"round trip"
    assert len(base64.urlsafe_b64decode(key)) == 32
    assert key != make(parse("fernet", "ENCRYPTION_KEY"))


def test_admin_password_fits_bcrypt_and_is_readable() -> None:
    """At most 72 bytes, four groups of unambiguous characters."""
    values = many(parse("admin-password", "ADMIN_PASSWORD"))

    for value in values:
        assert len(value.encode("utf-8")) <= BCRYPT_MAX_BYTES
        groups = value.split("-")
        assert len(groups) == 4
        assert all(len(group) == 6 for group in groups)
        assert set("".join(groups)) <= set(READABLE_ALPHABET)
        assert not set("0O1lI") & set(value)
    assert len(set(values)) == SAMPLES
    assert 24 * math.log2(len(READABLE_ALPHABET)) > 128


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("password", Recipe("password")),
        ("password:40", Recipe("password", 40)),
        ("token:32", Recipe("token", 32)),
        ("hex:16", Recipe("hex", 16)),
        ("fernet", Recipe("fernet")),
        ("admin-password", Recipe("admin-password")),
    ],
)
def test_parse_known_recipes(text: str, expected: Recipe) -> None:
    """Every documented recipe parses, and prints back as written."""
    assert parse(text, "KEY") == expected
    assert str(expected) == text


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("pasword", "unknown recipe 'pasword'"),
        ("uuid", "unknown recipe 'uuid'"),
        ("fernet:32", "unknown recipe 'fernet:32'"),
        ("token", "needs a size"),
        ("token:abc", "needs a whole number"),
        ("token:8", "asks for 8 bytes"),
        ("hex:4096", "asks for 4096 bytes"),
        ("password:8", "asks for 8 characters"),
    ],
)
def test_bad_recipe_is_an_error_naming_the_key(text: str, complaint: str) -> None:
    """The message names the key and its line, and the hint lists recipes."""
    manifest = parse_manifest(
        f"# @secret @generate={text}\nAPI_TOKEN=\n", Path("secrets.example")
    )

    with pytest.raises(ConfigError) as caught:
        recipe_for(manifest.entries["API_TOKEN"])

    assert "API_TOKEN (manifest line 2)" in caught.value.message
    assert complaint in caught.value.message
    assert caught.value.hint


def test_key_without_recipe_points_at_stdin() -> None:
    """Rotating a key that has no recipe suggests --from-stdin."""
    manifest = parse_manifest("# @secret\nAPI_TOKEN=\n", Path("secrets.example"))

    with pytest.raises(ConfigError) as caught:
        recipe_for(manifest.entries["API_TOKEN"])

    assert "API_TOKEN" in caught.value.message
    assert "--from-stdin" in str(caught.value.hint)


@pytest.mark.parametrize("length", [0, 21, 1025])
def test_password_length_option_out_of_range(length: int) -> None:
    """Lengths below 22 (132 bits) or above 1024 are refused."""
    with pytest.raises(UsageError, match="--password-length"):
        check_password_length(length)
