"""What the child finds: the .env it is pointed at, and a cleaned environment."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

import pytest
from cli_harness import ENVIRON_PROBE
from dotenv import dotenv_values

if TYPE_CHECKING:
    from cli_harness import Account, Accounts, Planted, Runner, Workspace

pytestmark = pytest.mark.root

PASSED_THROUGH = {"UNRELATED": "kept", "STRAY_FILE": "/not/a/manifest/key"}


@pytest.fixture(params=["nobody", "member"])
def target(request: pytest.FixtureRequest, accounts: Accounts) -> Account:
    """nobody, and a test user who belongs to many supplementary groups."""
    return accounts.by_role(request.param)


def _environ(planted: Planted, **extra: str) -> dict[str, str]:
    return {
        **planted.environ,
        **PASSED_THROUGH,
        "ENTRYPOINT_LOG_LEVEL": "info",
        "ENTRYPOINT_USER": "nobody",
        **extra,
    }


def test_env_file_reads_back_as_exactly_the_planted_values(
    run: Runner, workspace: Workspace, planted: Planted, target: Account
) -> None:
    """Files, KEY_FILE, variables and defaults land in the .env, nothing else.

    One trailing LF (secrets dir) or CRLF (KEY_FILE) is removed; the optional
    secret nobody provided is absent.
    """
    run("--user", target.name, "--", *workspace.touch(), env=planted.environ).expect(0)
    written = dotenv_values(workspace.env_file)

    url = written.pop("DATABASE_URL")
    assert written == planted.values
    assert url is not None
    assert url.startswith("postgresql://svc_user:")


def test_derived_url_round_trips_a_hostile_password(
    run: Runner, workspace: Workspace, planted: Planted
) -> None:
    """${POSTGRES_PASSWORD|url} percent-encodes, so urllib recovers every part."""
    run("--user", "nobody", "--", *workspace.touch(), env=planted.environ).expect(0)
    url = dotenv_values(workspace.env_file)["DATABASE_URL"]

    assert url is not None
    parts = urlsplit(url)
    assert parts.scheme == "postgresql"
    assert parts.username == "svc_user"
    assert unquote(parts.password or "") == planted.password
    assert parts.hostname == "db"
    assert parts.port == 5432
    assert parts.path == "/appdb"
    assert (parts.query, parts.fragment) == ("", "")


def test_child_gets_env_file_and_the_targets_identity(
    run: Runner, workspace: Workspace, planted: Planted, target: Account
) -> None:
    """ENV_FILE points at the .env; HOME, USER, LOGNAME come from passwd."""
    caller = {"HOME": "/root", "USER": "root", "LOGNAME": "root"}

    result = run(
        "--user",
        target.name,
        "--",
        *ENVIRON_PROBE,
        env={**planted.environ, **caller},
    )
    environ = result.expect(0).probe()["environ"]

    assert environ["ENV_FILE"] == str(workspace.env_file), str(result)
    assert environ["HOME"] == target.home, str(result)
    assert environ["USER"] == target.name, str(result)
    assert environ["LOGNAME"] == target.name, str(result)


def test_child_loses_entrypoint_variables_consumed_key_files_and_secret_keys(
    run: Runner, workspace: Workspace, planted: Planted
) -> None:
    """Without --keep-env nothing secret or entrypoint-specific is inherited.

    OPENAI_API_KEY is also set as a variable (the file wins): as an @secret
    key it is removed all the same. Variables the manifest does not declare,
    including an unconsumed *_FILE, pass through.
    """
    environ = _environ(planted, OPENAI_API_KEY="from-the-environment")

    result = run(*ENVIRON_PROBE, env=environ)
    child = result.expect(0).probe()["environ"]

    assert not [name for name in child if name.startswith("ENTRYPOINT_")], str(result)
    for name in ("JWT_SECRET_FILE", "ADMIN_PASSWORD", "OPENAI_API_KEY"):
        assert name not in child, str(result)
    for name in ("POSTGRES_PASSWORD", "JWT_SECRET", "DATABASE_URL"):
        assert name not in child, str(result)
    assert child["POSTGRES_USER"] == "svc_user"
    for name, value in PASSED_THROUGH.items():
        assert child[name] == value


@pytest.mark.parametrize(
    ("options", "variables"),
    [([], {"ENTRYPOINT_KEEP_ENV": "1"}), (["--keep-env"], {})],
    ids=["variable", "flag"],
)
def test_keep_env_passes_every_variable_through(
    run: Runner,
    workspace: Workspace,
    planted: Planted,
    options: list[str],
    variables: dict[str, str],
) -> None:
    """--keep-env (or ENTRYPOINT_KEEP_ENV=1) removes nothing from the environment."""
    environ = _environ(planted, **variables)

    result = run(*options, *ENVIRON_PROBE, env=environ)
    child = result.expect(0).probe()["environ"]

    for name, value in environ.items():
        assert child.get(name) == value, f"{name} was not kept\n{result}"
    assert child["ENV_FILE"] == str(workspace.env_file)


@pytest.mark.parametrize(
    ("options", "variables"),
    [([], {"ENTRYPOINT_EXPORT": "1"}), (["--export"], {})],
    ids=["variable", "flag"],
)
def test_export_puts_every_resolved_value_into_the_environment(
    run: Runner,
    workspace: Workspace,
    planted: Planted,
    options: list[str],
    variables: dict[str, str],
) -> None:
    """--export (or ENTRYPOINT_EXPORT=1) gives the child what the .env holds."""
    result = run(*options, *ENVIRON_PROBE, env=_environ(planted, **variables))
    child = result.expect(0).probe()["environ"]
    written = dotenv_values(workspace.env_file)

    for name, value in written.items():
        assert child.get(name) == value, f"{name} was not exported\n{result}"
    assert "ENTRYPOINT_USER" not in child


def test_uid_without_passwd_entry_does_not_inherit_roots_identity(
    run: Runner, workspace: Workspace
) -> None:
    """A bare uid:gid has no name: HOME is /, and USER/LOGNAME do not say root."""
    caller = {"HOME": "/root", "USER": "root", "LOGNAME": "root"}

    result = run("--user", "54329:54329", "--", *ENVIRON_PROBE, env=caller)
    child = result.expect(0).probe()["environ"]

    assert child["HOME"] == "/", str(result)
    assert child.get("USER") != "root", str(result)
    assert child.get("LOGNAME") != "root", str(result)


def test_child_receives_its_arguments_and_working_directory(
    run: Runner, workspace: Workspace
) -> None:
    """argv after the program is passed as given; cwd is the caller's."""
    result = run("--user", "nobody", *ENVIRON_PROBE, "a b", "", "--x")
    report = result.expect(0).probe()

    assert report["argv"] == ["a b", "", "--x"], str(result)
    assert report["cwd"] == str(workspace.cwd), str(result)
