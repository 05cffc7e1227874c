"""The forms a value takes when it leaks: the byte strings to search for.

A password rarely leaks as itself only. It lands in a JSON log escaped, in a
URL percent-encoded, in an `Authorization: Basic` header as
`base64("user:" + password)`, in a dump as hex or UTF-16. Base64 is the
subtle one: the characters that encode the value depend on how many bytes
came before it, so each of the three alignments is encoded, and only the
characters fully determined by the value's own bits are kept.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from urllib.parse import quote, quote_plus

BASE64_GROUP_BYTES = 3


def encoded_forms(value: str) -> Iterator[tuple[str, bytes]]:
    """Every (encoding name, bytes) form of `value`, each byte string once."""
    seen: set[bytes] = set()
    for name, form in _all_forms(value):
        if form and form not in seen:
            seen.add(form)
            yield name, form


def _all_forms(value: str) -> Iterator[tuple[str, bytes]]:
    raw = value.encode("utf-8")
    yield "plain", raw
    for text in _json_forms(value):
        yield "json", text.encode("utf-8")
    for text in _url_forms(value):
        yield "url", text.encode("ascii")
    for offset in range(BASE64_GROUP_BYTES):
        yield "base64", base64_core(raw, offset, base64.b64encode)
    for offset in range(BASE64_GROUP_BYTES):
        yield "base64url", base64_core(raw, offset, base64.urlsafe_b64encode)
    yield "hex", raw.hex().encode("ascii")
    yield "hex", raw.hex().upper().encode("ascii")
    yield "utf-16-le", value.encode("utf-16-le")
    yield "utf-16-be", value.encode("utf-16-be")


def _json_forms(value: str) -> tuple[str, ...]:
    escaped = json.dumps(value)[1:-1]
    unicode = json.dumps(value, ensure_ascii=False)[1:-1]
    # Some encoders (PHP's, Go's HTML-safe mode for `<`) also escape "/".
    slashed = escaped.replace("/", "\\/")
    return escaped, unicode, slashed


def _url_forms(value: str) -> tuple[str, ...]:
    strict = quote(value, safe="")
    lower = _lower_percent(strict)
    return strict, lower, quote_plus(value), _lower_percent(quote_plus(value))


def _lower_percent(text: str) -> str:
    parts = text.split("%")
    return parts[0] + "".join("%" + part[:2].lower() + part[2:] for part in parts[1:])


def base64_core(raw: bytes, offset: int, encode: Callable[[bytes], bytes]) -> bytes:
    """The base64 characters that depend on `raw` alone, after `offset` bytes.

    Character i of an encoding covers bits [6i, 6i + 6). The value occupies
    bits [8 * offset, 8 * (offset + len(raw))), so the characters wholly
    inside that range are the same whatever surrounds the value.
    """
    encoded = encode(bytes(offset) + raw)
    first = -(-8 * offset // 6)
    last = 8 * (offset + len(raw)) // 6
    return encoded[first:last]
