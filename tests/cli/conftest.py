"""Fixtures for tests that run the real, installed `entrypoint` in a subprocess.

The tests run as root, because dropping root is the point. Everything the
dropped user must reach (secrets, the .env directory, the working directory,
programs on PATH) lives in a world-traversable workspace under /tmp: pytest's
own `tmp_path` is private to root, and so is the venv's interpreter under
/root, which is why the programs the entrypoint starts are /bin/sh and
Debian's /usr/bin/python3, never the venv's python.
"""

from __future__ import annotations

import grp
import secrets
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
from cli_harness import (
    PLANTED_MANIFEST,
    SYSTEM_PYTHON,
    Account,
    Accounts,
    Planted,
    Runner,
    Workspace,
    require_root,
    world_traversable_directory,
)
from support import commands

import entrypoint

BIN = Path(sys.executable).parent
ENTRYPOINT = BIN / "entrypoint"
SECRETSCTL = BIN / "secretsctl"
MANY_GROUPS = 20


@pytest.fixture(autouse=True)
def _root_marker(request: pytest.FixtureRequest) -> None:
    """Turn `@pytest.mark.root` into a clear failure when not run as root."""
    if request.node.get_closest_marker("root") is not None:
        require_root()


@pytest.fixture
def workspace() -> Iterator[Workspace]:
    """A fresh workspace, removed afterwards even when the test fails."""
    space = Workspace(world_traversable_directory("sectest-"))
    for directory in (space.secrets, space.cwd, space.bin):
        directory.mkdir(mode=0o755)
        directory.chmod(0o755)
    space.marker.parent.mkdir()
    space.marker.parent.chmod(0o777)
    try:
        yield space
    finally:
        shutil.rmtree(space.root, ignore_errors=True)


def _admin(*argv: str) -> None:
    commands.run(argv).expect(0)


@pytest.fixture(scope="session")
def accounts() -> Iterator[Accounts]:
    """Create a user in many groups plus a canary group; delete them afterwards.

    Names carry a random suffix so that two test runs on one machine do not
    collide, and everything created is removed even when a test fails.
    """
    require_root()
    prefix = f"sectest{secrets.token_hex(3)}"
    user = f"{prefix}user"
    groups = [f"{prefix}g{index:02d}" for index in range(MANY_GROUPS)]
    created_groups: list[str] = []
    created_user = False
    try:
        for name in (f"{prefix}main", f"{prefix}canary", *groups):
            _admin("groupadd", name)
            created_groups.append(name)
        _admin(
            "useradd",
            "--no-create-home",
            "--home-dir",
            f"/nonexistent/{user}",
            "--shell",
            "/usr/sbin/nologin",
            "--gid",
            f"{prefix}main",
            "--groups",
            ",".join(groups),
            user,
        )
        created_user = True
        yield Accounts(
            nobody=Account.from_system("nobody"),
            member=Account.from_system(user),
            canary_gid=grp.getgrnam(f"{prefix}canary").gr_gid,
            prefix=prefix,
        )
    finally:
        if created_user:
            _admin("userdel", user)
        for name in reversed(created_groups):
            _admin("groupdel", name)


@pytest.fixture
def planted(workspace: Workspace) -> Planted:
    """Secrets-dir files, a KEY_FILE, variables, defaults and a derived URL.

    The password holds every character that breaks a URL's userinfo; each
    secret has a random part so that a leak cannot be a coincidence.
    """
    tokens = [secrets.token_hex(10) for _ in range(4)]
    password = f"p@ss:w/o%rd#x?y'z` q[1]é-{tokens[0]}"
    values = {
        "POSTGRES_PASSWORD": password,
        "POSTGRES_USER": "svc_user",
        "POSTGRES_DB": "appdb",
        "JWT_SECRET": f"jwt-{tokens[1]}",
        "ADMIN_PASSWORD": f"admin-{tokens[2]}",
        "OPENAI_API_KEY": f"sk-{tokens[3]}",
        "LOG_LEVEL": "info",
    }
    manifest = workspace.manifest(PLANTED_MANIFEST)
    workspace.secret("postgres_password", password + "\n")
    workspace.secret("openai_api_key", values["OPENAI_API_KEY"])
    jwt = workspace.file("elsewhere/jwt", values["JWT_SECRET"] + "\r\n")
    environ = {
        "ENTRYPOINT_MANIFEST": str(manifest),
        "JWT_SECRET_FILE": str(jwt),
        "ADMIN_PASSWORD": values["ADMIN_PASSWORD"],
        "POSTGRES_USER": values["POSTGRES_USER"],
    }
    return Planted(manifest, environ, values, password, tokens)


@pytest.fixture
def run(workspace: Workspace, accounts: Accounts) -> Runner:
    """The installed `entrypoint`, run as root.

    Root here also holds group 0 and the canary group, so that a leak of the
    caller's supplementary groups into the child shows up.
    """
    return Runner(
        workspace,
        (str(ENTRYPOINT),),
        extra_groups=(0, accounts.canary_gid),
    )


@pytest.fixture
def secretsctl(workspace: Workspace) -> Runner:
    """The installed `secretsctl`, run as root."""
    return Runner(workspace, (str(SECRETSCTL),))


@pytest.fixture(scope="session")
def readable_packages() -> Iterator[Path]:
    """World-readable copies of the entrypoint package and structlog.

    A process running as nobody cannot read the venv under /root, so the
    non-root tests run Debian's python with these copies on PYTHONPATH.
    """
    require_root()
    base = world_traversable_directory("sectest-lib-")
    try:
        for module in (entrypoint, structlog):
            source = Path(str(module.__file__)).parent
            shutil.copytree(
                source,
                base / source.name,
                ignore=shutil.ignore_patterns("__pycache__"),
            )
        for path in base.rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def run_as_nobody(workspace: Workspace, readable_packages: Path) -> Runner:
    """`python3 -m entrypoint` started as nobody:nogroup with no extra groups."""
    prefix = (
        "setpriv",
        "--reuid=nobody",
        "--regid=nogroup",
        "--clear-groups",
        SYSTEM_PYTHON,
        "-m",
        "entrypoint",
    )
    environ = {"PYTHONPATH": str(readable_packages), "PYTHONDONTWRITEBYTECODE": "1"}
    return Runner(workspace, prefix, environ)
