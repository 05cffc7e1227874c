"""Text, JSON and SARIF reports: parseable, complete, and free of values."""

from __future__ import annotations

import json
import secrets

import pytest

from secretsctl.validate.archives import Blob
from secretsctl.validate.findings import finding
from secretsctl.validate.known import KnownValue
from secretsctl.validate.report import FORMATS, Report, render
from secretsctl.validate.scan import Scanner

PASSWORD = secrets.token_urlsafe(18)


@pytest.fixture
def report(fakes: dict[str, str]) -> Report:
    """Findings of both kinds, one of them allowed, in an archive member too."""
    scanner = Scanner([KnownValue("POSTGRES_PASSWORD", PASSWORD, "x")])
    found = scanner.scan(Blob("config/app.yml", f"a\n{PASSWORD}\n".encode()))
    found += scanner.scan(Blob("b.tar.gz!x y.log", fakes["openai-api-key"].encode()))
    return Report(
        findings=found[:1],
        allowed=found[1:],
        fixed=[".env: 0644 -> 0600"],
        files=2,
    )


def test_text_names_place_rule_encoding_and_fingerprint(report: Report) -> None:
    text = render(report, "text")

    first = report.findings[0]
    assert text.splitlines()[0] == (
        f"config/app.yml:2: known-value:POSTGRES_PASSWORD: holds the value of "
        f"POSTGRES_PASSWORD (plain) [plain, fingerprint {first.fingerprint}]"
    )
    assert "fixed: .env: 0644 -> 0600" in text
    assert "1 finding in 2 files (1 allowed by .secretsctl-allow)" in text
    assert "Hint (known-values):" in text


def test_a_clean_text_report_says_so() -> None:
    assert render(Report(files=3), "text") == "no findings in 3 files\n"


def test_json_holds_every_field(report: Report) -> None:
    document = json.loads(render(report, "json"))

    assert document["version"] == 1
    assert document["files"] == 2
    assert document["findings"][0] == {
        "path": "config/app.yml",
        "line": 2,
        "check": "known-values",
        "rule": "known-value:POSTGRES_PASSWORD",
        "encoding": "plain",
        "fingerprint": report.findings[0].fingerprint,
        "message": "holds the value of POSTGRES_PASSWORD (plain)",
        "hint": report.findings[0].hint,
    }
    assert [item["rule"] for item in document["allowed"]] == ["openai-api-key"]


def test_sarif_is_a_minimal_valid_2_1_0_log(report: Report) -> None:
    document = json.loads(render(report, "sarif"))

    assert document["version"] == "2.1.0"
    assert document["$schema"].endswith("sarif-2.1.0.json")
    (run,) = document["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert run["tool"]["driver"]["name"] == "secretsctl-validate"
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["message"]["text"]
        assert result["level"] == "error"
        location = result["locations"][0]["physicalLocation"]
        assert location["region"]["startLine"] >= 1
        assert len(result["partialFingerprints"]["secretsctl/v1"]) == 16
    uris = [
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for result in run["results"]
    ]
    assert uris == ["config/app.yml", "b.tar.gz!x%20y.log"]
    assert run["results"][1]["suppressions"] == [{"kind": "external"}]


def test_sarif_leaves_out_the_region_of_a_whole_file_finding() -> None:
    found = finding(
        "permissions", "env-file-mode", (".env", 0), matched=b"0644", message="m"
    )
    document = json.loads(render(Report(findings=[found]), "sarif"))

    location = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert "region" not in location


@pytest.mark.parametrize("form", FORMATS)
def test_no_format_contains_any_part_of_a_value(
    report: Report, fakes: dict[str, str], form: str
) -> None:
    output = render(report, form)

    for value in (PASSWORD, fakes["openai-api-key"]):
        windows = {value[index : index + 8] for index in range(len(value) - 7)}
        assert not any(window in output for window in windows)
