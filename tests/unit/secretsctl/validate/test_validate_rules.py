"""Pattern rules: each finds a realistic fake and leaves placeholders alone."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from secretsctl.validate.rules import RULES, bits_per_character, looks_random, matches

PROJECT = Path(__file__).resolve().parents[4]

PLACEHOLDERS = [
    "your_openai_key_here",
    "your_anthropic_key_here",
    "your_notion_key_here",
    "your_deepseek_key_here",
    "OPENAI_API_KEY=sk-...",
    "OPENAI_API_KEY=sk-your-key-here",
    "sk-" + "x" * 48,
    "sk-" + "X" * 48,
    "sk-proj-" + "your-project-key-goes-here-" * 2,
    "sk-ant-api03-" + "x" * 90,
    "sk-" + "0" * 32,
    "sk-" + "a" * 32,
    "secret_" + "x" * 43,
    "ntn_your_token_here",
    "ntn_" + "0" * 46,
    "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9...",
    "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----",
    "-----BEGIN RSA PRIVATE KEY-----\n<your key here>\n",
    "postgresql://${POSTGRES_USER}:${POSTGRES_PASSWORD|url}@${POSTGRES_HOST}:5432/db",
    "postgresql://user:password@localhost:5432/app",
    "postgresql://user:<password>@localhost/app",
    "redis://:****@redis:6379/0",
    "https://user:{password}@example.com",
    "https://%(user)s:%(password)s@example.com",
    "mysql://root:$MYSQL_ROOT_PASSWORD@db/app",
    "https://user@example.com/path",
    "http://localhost:8000/health",
    "see http://example.com:8080/a@b",
]


@pytest.mark.parametrize("name", [rule.name for rule in RULES])
def test_every_rule_finds_its_realistic_fake(fakes: dict[str, str], name: str) -> None:
    """The fake sits inside an assignment, as it would in a config file."""
    data = f'settings = {{"key": "{fakes[name]}"}}\n'.encode()

    found = [match.rule.name for match in matches(data)]

    assert found == [name]


@pytest.mark.parametrize("name", [rule.name for rule in RULES])
def test_every_rule_finds_its_fake_on_a_line_of_its_own(
    fakes: dict[str, str], name: str
) -> None:
    data = f"first line\n{fakes[name]}\nlast line\n".encode()

    found = list(matches(data))

    assert [match.rule.name for match in found] == [name]
    assert data.count(b"\n", 0, found[0].start) == 1


def test_the_private_key_rule_also_finds_a_json_escaped_block(
    fakes: dict[str, str],
) -> None:
    escaped = fakes["private-key"].replace("\n", "\\n")
    data = f'{{"private_key": "{escaped}"}}'.encode()

    assert [match.rule.name for match in matches(data)] == ["private-key"]


@pytest.mark.parametrize("text", PLACEHOLDERS)
def test_placeholders_match_no_rule(text: str) -> None:
    assert list(matches(text.encode())) == []


def test_the_projects_manifest_matches_no_rule() -> None:
    """secrets.example is the template everyone copies: placeholders only."""
    data = (PROJECT / "secrets.example").read_bytes()

    assert list(matches(data)) == []


def test_a_password_url_to_localhost_is_found() -> None:
    """Local development URLs leak real passwords too; localhost is no excuse."""
    password = secrets.token_urlsafe(9)
    data = f"DATABASE_URL=postgresql://app:{password}@127.0.0.1:5432/app\n".encode()

    assert [match.rule.name for match in matches(data)] == ["url-password"]


def test_a_key_longer_than_the_format_is_not_cut_to_fit() -> None:
    """The first 32 of 40 hex digits are not a DeepSeek key."""
    data = b"sk-" + b"0123456789abcdef" * 2 + b"01234567"

    assert [match.rule.name for match in matches(data)] == []


@pytest.mark.parametrize(
    ("text", "random"),
    [
        (b"Qm9vbGVhbnMgYXJlIG5vdCBzZWNyZXRz", True),
        (b"0f3a9c2e7b1d4a6f8e0c2b4d6f8a1c3e", True),
        (b"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", False),
        (b"your-key-goes-here-your-key-goes", False),
        (b"00000000000000000000000000000000", False),
    ],
)
def test_looks_random_separates_tokens_from_typed_text(
    text: bytes, random: bool
) -> None:
    assert looks_random(text) is random


def test_bits_per_character_of_a_repeated_character_is_zero() -> None:
    assert bits_per_character(b"aaaa") == 0.0
    assert bits_per_character(b"") == 0.0
    assert bits_per_character(b"ab") == 1.0
