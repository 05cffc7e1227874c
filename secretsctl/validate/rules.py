"""Pattern rules: the shapes of well-known credentials.

Each rule matches the real format's prefix, charset and length, then asks
whether the variable part looks random, so placeholders such as
`your_openai_key_here`, `sk-xxxx...` or `${POSTGRES_PASSWORD}` are not taken
for keys. Rules run on bytes, so any file can be searched without decoding.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

# Tokens end where a token character no longer follows: this keeps a rule
# for 32 hex digits from matching the start of a 48-character key.
_START = rb"(?<![A-Za-z0-9_-])"
_END = rb"(?![A-Za-z0-9_-])"

# A random token over letters and digits carries about 5 to 6 bits per
# character; typed placeholders repeat a few characters and stay below this.
MIN_BITS_PER_CHARACTER = 3.0

PLACEHOLDER_PASSWORDS = frozenset(
    {
        "changeme",
        "example",
        "pass",
        "passwd",
        "password",
        "placeholder",
        "pwd",
        "secret",
        "user",
    }
)
# `${VAR}`, `{{ var }}`, `{password}`, `%(password)s`, `<password>`.
_TEMPLATE_MARKERS = ("{", "%(", "<")


@dataclass(frozen=True)
class Rule:
    """A credential format: its name, what it is, and how to recognise it."""

    name: str
    description: str
    pattern: re.Pattern[bytes]
    accept: Callable[[re.Match[bytes]], bool]


@dataclass(frozen=True)
class Match:
    """Where a rule matched in a byte string, and the matched bytes."""

    rule: Rule
    start: int
    text: bytes


def bits_per_character(text: bytes) -> float:
    """Shannon entropy of the characters of `text`, in bits per character."""
    if not text:
        return 0.0
    counts = Counter(text)
    total = len(text)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


def looks_random(text: bytes) -> bool:
    """Mixes letters and digits (or cases) and has a random token's entropy."""
    classes = sum(
        (
            any(byte in b"abcdefghijklmnopqrstuvwxyz" for byte in text),
            any(byte in b"ABCDEFGHIJKLMNOPQRSTUVWXYZ" for byte in text),
            any(byte in b"0123456789" for byte in text),
        )
    )
    return classes >= 2 and bits_per_character(text) >= MIN_BITS_PER_CHARACTER


def _random_secret(match: re.Match[bytes]) -> bool:
    return looks_random(match.group("secret"))


def _real_password(match: re.Match[bytes]) -> bool:
    """Rejects templates, masks and the words documentation uses instead."""
    password = match.group("secret").decode("utf-8", "replace")
    if any(marker in password for marker in _TEMPLATE_MARKERS):
        return False
    if password.startswith("$") or len(set(password)) == 1:
        return False
    return password.lower() not in PLACEHOLDER_PASSWORDS


def _always(match: re.Match[bytes]) -> bool:
    return True


def _rule(
    name: str,
    description: str,
    pattern: bytes,
    accept: Callable[[re.Match[bytes]], bool] = _random_secret,
) -> Rule:
    return Rule(name, description, re.compile(pattern), accept)


RULES: tuple[Rule, ...] = (
    _rule(
        "anthropic-api-key",
        "an Anthropic API key",
        _START + rb"sk-ant-[a-z]{2,10}\d{2}-(?P<secret>[A-Za-z0-9_-]{32,})" + _END,
    ),
    _rule(
        "openai-project-key",
        "an OpenAI project, service-account or admin key",
        _START + rb"sk-(?:proj|svcacct|admin)-(?P<secret>[A-Za-z0-9_-]{40,})" + _END,
    ),
    _rule(
        "openai-api-key",
        "an OpenAI API key",
        _START + rb"sk-(?P<secret>[A-Za-z0-9]{48})" + _END,
    ),
    _rule(
        "deepseek-api-key",
        "a DeepSeek API key",
        _START + rb"sk-(?P<secret>[0-9a-f]{32})" + _END,
    ),
    _rule(
        "notion-integration-secret",
        "a Notion integration secret",
        _START + rb"secret_(?P<secret>[A-Za-z0-9]{43})" + _END,
    ),
    _rule(
        "notion-token",
        "a Notion API token",
        _START + rb"ntn_(?P<secret>[A-Za-z0-9]{40,60})" + _END,
    ),
    _rule(
        "jwt",
        "a signed JSON Web Token",
        _START
        + rb"ey[A-Za-z0-9_-]{10,}\.ey[A-Za-z0-9_-]{10,}\.(?P<secret>[A-Za-z0-9_-]{20,})"
        + _END,
    ),
    _rule(
        "private-key",
        "a PEM private key block",
        rb"-----BEGIN [A-Z0-9 ]{0,30}PRIVATE KEY(?: BLOCK)?-----"
        rb"(?:\s|\\[rn])+(?:[A-Za-z-]+:[^\r\n\\]*(?:\s|\\[rn])+){0,4}"
        rb"[A-Za-z0-9+/=]{40,}",
        _always,
    ),
    _rule(
        "url-password",
        "a URL with a password in it",
        rb"\b[A-Za-z][A-Za-z0-9+.-]{1,20}://"
        rb"[^\s:/?#@'\"`<>\[\]]*:(?P<secret>[^\s/?#@'\"`\[\]]+)@"
        rb"(?:[A-Za-z0-9_\[]|\$\{)",
        _real_password,
    ),
)


def matches(data: bytes, rules: tuple[Rule, ...] = RULES) -> Iterator[Match]:
    """Every accepted match of every rule, in rule order then position order."""
    for rule in rules:
        for found in rule.pattern.finditer(data):
            if rule.accept(found):
                yield Match(rule, found.start(), found.group(0))
