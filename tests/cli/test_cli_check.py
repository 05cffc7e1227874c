"""`entrypoint --check` and `secretsctl check`: a status table, never a value."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from cli_harness import Planted, Result, Runner, Workspace

pytestmark = pytest.mark.root

MANIFEST_KEYS = [
    "POSTGRES_PASSWORD",
    "POSTGRES_USER",
    "POSTGRES_DB",
    "DATABASE_URL",
    "JWT_SECRET",
    "ADMIN_PASSWORD",
    "OPENAI_API_KEY",
    "ANTHROPIC_API_KEY",
    "LOG_LEVEL",
]


def _table(result: Result) -> dict[str, tuple[str, str]]:
    """KEY -> (SOURCE, STATUS) from the printed table."""
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert lines, f"no table printed\n{result}"
    assert lines[0].split() == ["KEY", "SOURCE", "STATUS"], str(result)
    rows = {}
    for line in lines[1:]:
        if line.startswith("problem:"):
            continue
        key, source, status = line.split()
        rows[key] = (source, status)
    return rows


def _assert_nothing_done(result: Result, workspace: Workspace) -> None:
    assert not workspace.marker.exists(), f"--check started the command\n{result}"
    assert not workspace.env_file.parent.exists(), f"--check wrote\n{result}"


def test_check_reports_every_key_ok_and_exits_0(
    run: Runner, workspace: Workspace, planted: Planted
) -> None:
    """All required keys resolve: every row is ok (or unset for an optional key)."""
    result = run("--check", "--user", "nobody", *workspace.touch(), env=planted.environ)
    rows = _table(result.expect(0))

    assert list(rows) == MANIFEST_KEYS, str(result)
    assert rows.pop("ANTHROPIC_API_KEY")[1] == "unset"
    assert {status for _, status in rows.values()} == {"ok"}, str(result)
    _assert_nothing_done(result, workspace)


def test_check_names_the_source_of_each_key(
    run: Runner, workspace: Workspace, planted: Planted
) -> None:
    """Secrets dir, KEY_FILE, variable, default and derived are told apart."""
    result = run("--check", "--user", "nobody", env=planted.environ)
    sources = {key: source for key, (source, _) in _table(result.expect(0)).items()}

    assert sources["POSTGRES_PASSWORD"].startswith("secrets-dir"), str(result)
    assert sources["OPENAI_API_KEY"].startswith("secrets-dir"), str(result)
    assert sources["JWT_SECRET"].startswith("key-file"), str(result)
    assert sources["ADMIN_PASSWORD"].startswith("env"), str(result)
    assert sources["POSTGRES_USER"].startswith("env"), str(result)
    assert sources["POSTGRES_DB"].startswith("default"), str(result)
    assert sources["DATABASE_URL"].startswith("derived"), str(result)


def test_check_never_prints_a_value(
    run: Runner, workspace: Workspace, planted: Planted
) -> None:
    """Neither the table nor the log holds a planted secret."""
    result = run("--check", "--user", "nobody", env=planted.environ).expect(0)

    for value in planted.secrets:
        assert value not in result.stdout
        assert value not in result.stderr


def test_check_exits_78_when_a_required_key_is_missing(
    run: Runner, workspace: Workspace, planted: Planted
) -> None:
    """A missing required key shows as missing and fails the check."""
    environ = {**planted.environ, "ADMIN_PASSWORD": None}

    result = run("--check", "--user", "nobody", *workspace.touch(), env=environ)
    rows = _table(result.expect(78))

    assert rows["ADMIN_PASSWORD"][1] == "missing", str(result)
    assert "problem:" in result.stdout
    _assert_nothing_done(result, workspace)


def test_check_exits_78_for_a_bad_secret_file(
    run: Runner, workspace: Workspace, planted: Planted
) -> None:
    """A file the real start would refuse also fails the check, as a problem line."""
    workspace.secret("jwt_secret", b"bad\0value")

    result = run("--check", *workspace.touch(), env=planted.environ)

    result.expect(78)
    assert "NUL" in result.stdout, str(result)
    _assert_nothing_done(result, workspace)


def test_check_exits_78_for_an_unknown_user(
    run: Runner, workspace: Workspace, planted: Planted
) -> None:
    """--check also looks the user up."""
    result = run("--check", "--user", "sectest-no-such-user", env=planted.environ)

    result.expect(78)
    assert "sectest-no-such-user" in result.stdout, str(result)


def test_check_as_root_without_a_user_exits_78_like_a_start_would_77(
    run: Runner, workspace: Workspace, planted: Planted
) -> None:
    """--check refuses what a start would: root with nobody to drop to."""
    result = run("--check", *workspace.touch(), env=planted.environ)

    result.expect(78)
    assert "problem: running as root and no user to drop to" in result.stdout
    _assert_nothing_done(result, workspace)


def test_secretsctl_check_prints_the_same_table(
    run: Runner, secretsctl: Runner, workspace: Workspace, planted: Planted
) -> None:
    """`secretsctl check --manifest M --secrets-dir D` agrees with --check."""
    environ = {**planted.environ, "ENTRYPOINT_MANIFEST": None}
    expected = run(
        "--check", "--user", "nobody", "--manifest", planted.manifest, env=environ
    ).expect(0)

    result = secretsctl(
        "check",
        "--manifest",
        planted.manifest,
        "--secrets-dir",
        workspace.secrets,
        env={**environ, "ENTRYPOINT_SECRETS_DIR": None},
    )

    assert result.expect(0).stdout == expected.stdout, str(result)
    _assert_nothing_done(result, workspace)


def test_secretsctl_check_exits_78_when_a_required_key_is_missing(
    secretsctl: Runner, workspace: Workspace, planted: Planted
) -> None:
    """The same failure as --check, with the same exit code."""
    (workspace.secrets / "postgres_password").unlink()

    result = secretsctl(
        "check",
        "--manifest",
        planted.manifest,
        "--secrets-dir",
        workspace.secrets,
        env=planted.environ,
    )

    assert _table(result.expect(78))["POSTGRES_PASSWORD"][1] == "missing"
    _assert_nothing_done(result, workspace)
