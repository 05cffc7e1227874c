"""The encoded forms of a value, base64 at every alignment above all."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

from hypothesis import given
from hypothesis import strategies as st

from secretsctl.validate.encodings import base64_core, encoded_forms

# "~~~?" puts "+" and "/" into the base64 forms, so base64url differs.
VALUE = 'pä/ss "wörd" 12 ~~~?'


def forms(value: str) -> dict[bytes, str]:
    return {form: name for name, form in encoded_forms(value)}


def test_every_named_encoding_is_produced() -> None:
    names = set(forms(VALUE).values())

    assert names == {
        "plain",
        "json",
        "url",
        "base64",
        "base64url",
        "hex",
        "utf-16-le",
        "utf-16-be",
    }


def test_forms_hold_the_expected_bytes() -> None:
    found = forms(VALUE)

    assert found[VALUE.encode()] == "plain"
    assert found[json.dumps(VALUE)[1:-1].encode()] == "json"
    assert found[quote(VALUE, safe="").encode()] == "url"
    assert found[VALUE.encode().hex().encode()] == "hex"
    assert found[VALUE.encode().hex().upper().encode()] == "hex"
    assert found[VALUE.encode("utf-16-le")] == "utf-16-le"
    assert found[VALUE.encode("utf-16-be")] == "utf-16-be"


def test_each_form_appears_once() -> None:
    """A value with nothing to escape has one plain form, not four copies."""
    names = [name for name, _ in encoded_forms("abcdefgh12345678")]

    assert names.count("plain") == 1
    assert "json" not in names
    assert "url" not in names


def test_basic_auth_header_holds_a_base64_form() -> None:
    """`Authorization: Basic` is base64("user:" + password)."""
    password = "correct-horse-battery"
    header = base64.b64encode(b"user:" + password.encode())

    assert any(form in header for form in forms(password))


@given(
    value=st.binary(min_size=8, max_size=40),
    prefix=st.binary(max_size=8),
    suffix=st.binary(max_size=8),
)
def test_base64_core_survives_any_surrounding_bytes(
    value: bytes, prefix: bytes, suffix: bytes
) -> None:
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        encoded = encode(prefix + value + suffix)
        cores = [base64_core(value, offset, encode) for offset in range(3)]

        assert cores[len(prefix) % 3] in encoded


@given(value=st.binary(min_size=8, max_size=40))
def test_base64_cores_are_long_enough_to_mean_something(value: bytes) -> None:
    """An 8-byte value still leaves at least nine characters to search for."""
    for offset in range(3):
        assert len(base64_core(value, offset, base64.b64encode)) >= 9
