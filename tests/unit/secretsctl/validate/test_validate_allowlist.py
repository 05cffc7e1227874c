"""Allow-listing by fingerprint, which survives the finding's line moving."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from secretsctl.validate.allowlist import Allowlist, entry, load, parse, split
from secretsctl.validate.archives import Blob
from secretsctl.validate.errors import ValidateError
from secretsctl.validate.findings import Finding
from secretsctl.validate.scan import Scanner


def scan(text: str) -> list[Finding]:
    return Scanner([]).scan(Blob("docs/tutorial.md", text.encode()))


def test_an_allowed_finding_stays_allowed_when_its_line_moves(
    fakes: dict[str, str],
) -> None:
    before = scan(f"intro\n{fakes['jwt']}\n")
    allowlist = parse(entry(before[0]) + "\n", Path(".secretsctl-allow"))

    after = scan(f"a new first paragraph\n\nintro\n\n{fakes['jwt']}\n")

    assert before[0].line == 2
    assert after[0].line == 5
    assert split(after, allowlist).kept == []
    assert split(after, allowlist).allowed == after


def test_a_different_value_at_the_same_place_is_not_allowed(
    fakes: dict[str, str],
) -> None:
    allowed = scan(f"{fakes['deepseek-api-key']}\n")
    other = scan("sk-" + secrets.token_hex(16) + "\n")
    allowlist = parse(entry(allowed[0]), Path(".secretsctl-allow"))

    assert len(other) == 1
    assert split(other, allowlist).kept == other


def test_the_entry_is_the_fingerprint_and_a_comment(fakes: dict[str, str]) -> None:
    found = scan(fakes["jwt"])[0]

    assert entry(found) == f"{found.fingerprint}  # docs/tutorial.md:1: jwt"


def test_comments_and_blank_lines_are_ignored() -> None:
    text = "# accepted fakes\n\n0123456789abcdef  # docs: example key\n"

    assert parse(text, Path("allow")).fingerprints == {"0123456789abcdef"}


@pytest.mark.parametrize("line", ["docs/x.md:12", "0123", "0123456789ABCDEF"])
def test_anything_but_a_fingerprint_is_an_error_naming_the_line(line: str) -> None:
    with pytest.raises(ValidateError) as caught:
        parse(f"# ok\n{line}\n", Path(".secretsctl-allow"))

    assert ".secretsctl-allow:2" in str(caught.value)
    assert "Hint:" in str(caught.value)


def test_a_missing_allowlist_allows_nothing(tmp_path: Path) -> None:
    assert load(tmp_path / "absent") == Allowlist(tmp_path / "absent")


def test_entries_that_match_nothing_are_listed_as_unused() -> None:
    allowlist = parse("0123456789abcdef\n", Path("allow"))

    assert split([], allowlist).unused == ["0123456789abcdef"]
