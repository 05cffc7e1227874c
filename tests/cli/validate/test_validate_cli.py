"""`secretsctl validate` as installed: exit codes, formats, and no leaked value."""

from __future__ import annotations

import base64
import gzip
import json
import secrets
import stat
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from validate.conftest import Project

FORMATS = ["text", "json", "sarif"]


def fake_openai_key() -> str:
    return "sk-" + "proj-" + secrets.token_urlsafe(64)


def test_a_clean_project_exits_0(project: Project) -> None:
    result = project.validate().expect(0)

    assert "no findings" in result.stdout
    result.assert_no_leak(project.planted)


def test_a_committed_api_key_exits_1(project: Project) -> None:
    key = fake_openai_key()
    project.write("app/settings.py", f'OPENAI = "{key}"\n')
    project.git("add", "app/settings.py")
    project.git("commit", "-qm", "oops")

    result = project.validate().expect(1)

    assert "app/settings.py:1: openai-project-key" in result.stdout
    result.assert_no_leak([key, *project.planted])


def test_a_staged_value_is_found_though_the_work_tree_is_clean(
    project: Project,
) -> None:
    """The index is what gets committed; the work tree may already be fixed."""
    password = project.values["POSTGRES_PASSWORD"]
    path = project.write("notes.txt", f"db password: {password}\n")
    project.git("add", "notes.txt")
    path.write_text("nothing to see\n", encoding="utf-8")

    result = project.validate().expect(1)

    assert "notes.txt:1: known-value:POSTGRES_PASSWORD" in result.stdout
    result.assert_no_leak(project.planted)


def test_basic_auth_in_an_ignored_compressed_log_is_found(project: Project) -> None:
    password = project.values["POSTGRES_PASSWORD"]
    header = base64.b64encode(f"app:{password}".encode()).decode()
    project.write(
        "logs/access.log.gz",
        gzip.compress(f"GET /\nAuthorization: Basic {header}\n".encode()),
    )

    found = project.validate().expect(1)
    skipped = project.validate("--no-ignored").expect(0)

    assert (
        "logs/access.log.gz!access.log:2: known-value:POSTGRES_PASSWORD" in found.stdout
    )
    assert "[base64," in found.stdout
    found.assert_no_leak(project.planted)
    skipped.assert_no_leak(project.planted)


def test_a_value_in_the_shell_history_is_found(project: Project) -> None:
    secret = project.values["JWT_SECRET"]
    (project.home / ".bash_history").write_text(
        f"export JWT_SECRET={secret}\n", encoding="utf-8"
    )

    result = project.validate().expect(1)

    assert ".bash_history:1: known-value:JWT_SECRET" in result.stdout
    result.assert_no_leak(project.planted)


@pytest.mark.parametrize("form", FORMATS)
def test_no_format_prints_any_part_of_a_planted_value(
    project: Project, form: str
) -> None:
    password = project.values["POSTGRES_PASSWORD"]
    key = fake_openai_key()
    project.write(
        "docs/leaks.md",
        f"{password}\n{password.encode().hex()}\n{key}\n"
        f"postgresql://app:{password}@localhost/app\n",
    )
    project.write("logs/app.log", f'{{"password": "{password}"}}\n')
    project.git("add", "docs/leaks.md")

    result = project.validate("--format", form).expect(1)

    result.assert_no_leak([key, *project.planted])
    if form != "text":
        json.loads(result.stdout)


def test_json_lists_every_finding(project: Project) -> None:
    password = project.values["POSTGRES_PASSWORD"]
    project.write("docs/a.md", f"one\n{password}\n")
    project.git("add", "docs/a.md")

    document = json.loads(project.validate("--format", "json").expect(1).stdout)

    assert [
        (f["path"], f["line"], f["rule"], f["encoding"]) for f in document["findings"]
    ] == [("docs/a.md", 2, "known-value:POSTGRES_PASSWORD", "plain")]


def test_sarif_is_a_2_1_0_log(project: Project) -> None:
    project.write("k.txt", fake_openai_key())
    project.git("add", "k.txt")

    result = project.validate("--format", "sarif").expect(1)
    document = json.loads(result.stdout)

    assert document["version"] == "2.1.0"
    assert document["runs"][0]["results"][0]["ruleId"] == "openai-project-key"
    result.assert_no_leak(project.planted)


def test_an_allowed_finding_stays_allowed_when_lines_are_added_above(
    project: Project,
) -> None:
    key = fake_openai_key()
    project.write("docs/guide.md", f"example:\n{key}\n")
    project.git("add", "docs/guide.md")
    project.git("commit", "-qm", "guide")
    document = json.loads(project.validate("--format", "json").expect(1).stdout)
    fingerprint = document["findings"][0]["fingerprint"]
    project.write(
        ".secretsctl-allow", f"{fingerprint}  # docs/guide.md: a made-up key\n"
    )
    project.validate().expect(0)

    project.write("docs/guide.md", f"# Guide\n\nmore text\n\nexample:\n{key}\n")
    result = project.validate().expect(0)

    assert "1 allowed by .secretsctl-allow" in result.stdout
    result.assert_no_leak([key])


def test_open_modes_exit_1_and_fix_repairs_them(project: Project) -> None:
    env = project.root / ".env"
    env.chmod(0o644)

    found = project.validate().expect(1)
    fixed = project.validate("--fix").expect(0)

    assert ".env: env-file-mode" in found.stdout
    assert "fixed: .env: 0644 -> 0600" in fixed.stdout
    assert stat.S_IMODE(env.stat().st_mode) == 0o600
    project.validate().expect(0)


def test_a_key_missing_from_the_example_exits_1(project: Project) -> None:
    project.write(
        "docker-compose.yml",
        "services:\n  app:\n    environment:\n      - SENTRY_DSN=\n",
    )
    project.git("add", "docker-compose.yml")

    result = project.validate().expect(1)

    assert (
        "secrets.example: example-missing-key: SENTRY_DSN (environment at "
        in result.stdout
    )


def test_outside_a_git_repository_exits_2(project: Project, tmp_path: Path) -> None:
    elsewhere = tmp_path / "not-a-repo"
    elsewhere.mkdir()

    result = project.validate("--project", elsewhere, cwd=elsewhere).expect(2)

    assert "not inside a git work tree" in result.stderr
    assert "Hint:" in result.stderr
    assert result.stdout == ""
    result.assert_no_leak(project.planted)


def test_paths_work_outside_a_git_repository(project: Project, tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "dump.txt").write_text(project.values["JWT_SECRET"], encoding="utf-8")

    result = project.validate(folder, "--only", "known-values").expect(1)

    assert "known-value:JWT_SECRET" in result.stdout
    result.assert_no_leak(project.planted)


def test_an_unreadable_manifest_exits_2(project: Project) -> None:
    project.write("secrets.example", "# @bogus\nKEY=\n")

    result = project.validate().expect(2)

    assert "secrets.example:1" in result.stderr
    assert "Hint:" in result.stderr
    result.assert_no_leak(project.planted)


def test_a_malformed_allowlist_exits_2(project: Project) -> None:
    project.write(".secretsctl-allow", "docs/guide.md:12\n")

    result = project.validate().expect(2)

    assert ".secretsctl-allow:1" in result.stderr
    result.assert_no_leak(project.planted)


def test_an_example_file_holding_a_real_value_exits_1_even_untracked(
    project: Project,
) -> None:
    """Example files hold placeholders only, whether git tracks them or not."""
    password = project.values["POSTGRES_PASSWORD"]
    project.write(".env.example", f"POSTGRES_USER=app\nPOSTGRES_PASSWORD={password}\n")

    result = project.validate("--only", "examples").expect(1)

    assert ".env.example:2: known-value:POSTGRES_PASSWORD" in result.stdout
    result.assert_no_leak(project.planted)


def test_only_selects_the_checks_that_run(project: Project) -> None:
    project.write("k.txt", fake_openai_key())
    project.git("add", "k.txt")

    project.validate("--only", "known-values").expect(0)
    project.validate("--only", "patterns").expect(1)
