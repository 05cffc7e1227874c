"""Print the findings: text for people, JSON for scripts, SARIF for code scanning.

Every format names the place, the rule, the encoding and the fingerprint of
each finding. None carries a value: findings never hold one to print.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from secretsctl.validate.findings import CHECKS, HINTS, Finding
from secretsctl.validate.rules import RULES

TEXT = "text"
JSON = "json"
SARIF = "sarif"
FORMATS = (TEXT, JSON, SARIF)

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
TOOL_NAME = "secretsctl-validate"
JSON_REPORT_VERSION = 1
FINGERPRINT_NAME = "secretsctl/v1"

_DESCRIPTIONS = {
    **{rule.name: f"Looks like {rule.description}." for rule in RULES},
    "example-missing": "The manifest secrets.example is missing.",
    "example-missing-key": "A key in use is not listed in an example file.",
    "env-file-mode": "A .env file is open to the group or others.",
    "secrets-dir-mode": "A secrets folder is open to the group or others.",
    "secret-file-mode": "A secret file is open to the group or others.",
}
_KNOWN_VALUE = "A file holds the value of one of the project's secrets."


@dataclass
class Report:
    """Everything one run has to say."""

    findings: list[Finding] = field(default_factory=list)
    allowed: list[Finding] = field(default_factory=list)
    fixed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files: int = 0
    allowlist: str = ".secretsctl-allow"


def render(report: Report, form: str) -> str:
    """The report in `form` (one of FORMATS), ending with a newline."""
    if form == JSON:
        return json.dumps(as_json(report), indent=2) + "\n"
    if form == SARIF:
        return json.dumps(as_sarif(report), indent=2) + "\n"
    return as_text(report)


def as_text(report: Report) -> str:
    """One line per finding, then a summary and a hint for each check that hit."""
    lines = [
        f"{found.location}: {found.rule}: {found.message} "
        f"[{found.encoding or '-'}, fingerprint {found.fingerprint}]"
        for found in report.findings
    ]
    lines.extend(f"fixed: {change}" for change in report.fixed)
    lines.append(_summary(report))

    hit = {found.check for found in report.findings}
    lines.extend(f"Hint ({check}): {HINTS[check]}" for check in CHECKS if check in hit)
    if report.findings:
        lines.append(
            f"Hint: to accept a finding, add its fingerprint to {report.allowlist} "
            "with a # comment saying why"
        )
    return "\n".join(lines) + "\n"


def _summary(report: Report) -> str:
    count = len(report.findings)
    noun = "finding" if count == 1 else "findings"
    allowed = (
        f" ({len(report.allowed)} allowed by {report.allowlist})"
        if report.allowed
        else ""
    )
    return f"{count or 'no'} {noun} in {report.files} files{allowed}"


def as_json(report: Report) -> dict[str, Any]:
    """A stable document: version, counts and every finding as an object."""
    return {
        "version": JSON_REPORT_VERSION,
        "tool": TOOL_NAME,
        "files": report.files,
        "findings": [_finding_json(found) for found in report.findings],
        "allowed": [_finding_json(found) for found in report.allowed],
        "fixed": report.fixed,
        "warnings": report.notes,
    }


def _finding_json(found: Finding) -> dict[str, Any]:
    return {
        "path": found.path,
        "line": found.line,
        "check": found.check,
        "rule": found.rule,
        "encoding": found.encoding,
        "fingerprint": found.fingerprint,
        "message": found.message,
        "hint": found.hint,
    }


def as_sarif(report: Report) -> dict[str, Any]:
    """A minimal SARIF 2.1.0 log: one run, its rules, and one result each.

    Allowed findings stay in the log with an external suppression, the way
    code-scanning services expect accepted results to be marked.
    """
    everything = [*report.findings, *report.allowed]
    rule_ids = sorted({found.rule for found in everything})
    index = {rule: position for position, rule in enumerate(rule_ids)}
    results = [_result(found, index, False) for found in report.findings]
    results.extend(_result(found, index, True) for found in report.allowed)
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL_NAME,
                        "rules": [_rule(rule, everything) for rule in rule_ids],
                    }
                },
                "results": results,
            }
        ],
    }


def _rule(rule: str, everything: list[Finding]) -> dict[str, Any]:
    check = next(found.check for found in everything if found.rule == rule)
    description = _DESCRIPTIONS.get(rule, _KNOWN_VALUE)
    return {
        "id": rule,
        "shortDescription": {"text": description},
        "help": {"text": HINTS[check]},
        "properties": {"check": check},
    }


def _result(found: Finding, index: dict[str, int], allowed: bool) -> dict[str, Any]:
    location: dict[str, Any] = {"artifactLocation": {"uri": quote(found.path, "/!")}}
    if found.line:
        location["region"] = {"startLine": found.line}
    result: dict[str, Any] = {
        "ruleId": found.rule,
        "ruleIndex": index[found.rule],
        "level": "error",
        "message": {"text": f"{found.message} ({found.encoding or found.check})"},
        "locations": [{"physicalLocation": location}],
        "partialFingerprints": {FINGERPRINT_NAME: found.fingerprint},
    }
    if allowed:
        result["suppressions"] = [{"kind": "external"}]
    return result
