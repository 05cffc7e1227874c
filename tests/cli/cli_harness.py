"""The pieces tests/cli is built from: a workspace, a runner, a run's result.

Kept out of conftest.py so that conftest holds only fixtures, and test modules
can name these types in their annotations.
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pytest
from support import commands

SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
SYSTEM_PYTHON = "/usr/bin/python3"
TIMEOUT_SECONDS = 60
# The shell reads its own status file with a builtin loop, so the file shown
# is the exec'd child's and not that of a helper such as cat.
STATUS_PROBE = (
    "/bin/sh",
    "-c",
    'while IFS= read -r line; do printf "%s\\n" "$line"; done < /proc/self/status\n'
    'printf "Cwd:\\t%s\\n" "$(pwd -P)"',
)
ENVIRON_PROBE = (
    SYSTEM_PYTHON,
    "-I",
    "-c",
    "import json, os, sys; json.dump({'environ': dict(os.environ), "
    "'argv': sys.argv[1:], 'cwd': os.getcwd()}, sys.stdout)",
)

Environ = Mapping[str, str | bytes | None]


def require_root() -> None:
    """Fail, never skip: a suite that silently skips its root tests proves nothing."""
    if os.geteuid() != 0:
        pytest.fail(
            "tests/cli must run as root: they drop privileges, create users and "
            "mount filesystems (run pytest as root, e.g. in the dev container)",
            pytrace=False,
        )


@dataclass(frozen=True)
class Result(commands.Result):
    """A run of the entrypoint, with readers for what its probes print."""

    def failure(self, code: int) -> str:
        """Assert a failure with `code` and return the logged error message."""
        self.expect(code)
        event = self.event("entrypoint.failed")
        assert event.get("exit_code") == code, f"wrong exit_code logged\n{self}"
        return str(event.get("error", ""))

    def status(self) -> dict[str, str]:
        """The fields of /proc/self/status printed by STATUS_PROBE."""
        fields = {}
        for line in self.stdout.splitlines():
            name, separator, value = line.partition(":")
            if separator:
                fields[name] = value.strip()
        assert "Uid" in fields, f"the child printed no status\n{self}"
        return fields

    def probe(self) -> dict[str, Any]:
        """The environment, argv and cwd printed by ENVIRON_PROBE."""
        try:
            report: dict[str, Any] = json.loads(self.stdout)
        except ValueError:
            raise AssertionError(f"the child printed no JSON report\n{self}") from None
        return report


@dataclass(frozen=True)
class Workspace:
    """A world-traversable directory tree for one test.

    The .env directory (`app/`) does not exist until the entrypoint creates it;
    the marker directory is world-writable so that `touch` works as any user.
    """

    root: Path

    @property
    def secrets(self) -> Path:
        return self.root / "secrets"

    @property
    def env_file(self) -> Path:
        return self.root / "app" / ".env"

    @property
    def marker(self) -> Path:
        return self.root / "markers" / "started"

    @property
    def cwd(self) -> Path:
        return self.root / "work"

    @property
    def bin(self) -> Path:
        return self.root / "bin"

    def touch(self) -> tuple[str, str]:
        """A command whose only effect is to prove it was started."""
        return ("touch", str(self.marker))

    def secret(self, name: str, content: str | bytes) -> Path:
        """Plant a file in the secrets directory."""
        return self.file(self.secrets / name, content)

    def file(self, path: Path | str, content: str | bytes, mode: int = 0o644) -> Path:
        """Write `content` at `path` (relative to the workspace), readable by all."""
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode() if isinstance(content, str) else content
        target.write_bytes(data)
        target.chmod(mode)
        return target

    def manifest(self, text: str) -> Path:
        """Write a manifest (a secrets.example) and return its path."""
        return self.file("secrets.example", text)

    def program(self, name: str, script: str) -> Path:
        """An executable script in the workspace's bin directory (on PATH)."""
        return self.file(self.bin / name, script, mode=0o755)

    def environ(self, overrides: Environ | None = None) -> dict[str, str | bytes]:
        """A small, explicit environment; a None in `overrides` unsets a name."""
        base: dict[str, str | bytes | None] = {
            "PATH": f"{self.bin}:{SYSTEM_PATH}",
            "LANG": "C.UTF-8",
            "ENTRYPOINT_LOG_FORMAT": "json",
            "ENTRYPOINT_SECRETS_DIR": str(self.secrets),
            "ENTRYPOINT_ENV_FILE": str(self.env_file),
        }
        base.update(overrides or {})
        return {name: value for name, value in base.items() if value is not None}

    def listing(self, directory: Path | None = None) -> list[str]:
        """Names in the .env directory (or `directory`); empty when it is absent."""
        try:
            return sorted(os.listdir(directory or self.env_file.parent))
        except FileNotFoundError:
            return []

    def assert_nothing_happened(
        self, result: Result, before: list[str] | None = None
    ) -> None:
        """The command never started and the .env directory is as it was."""
        assert not self.marker.exists(), f"the command was started\n{result}"
        assert self.listing() == (before or []), (
            f"the .env directory was changed: {self.listing()}\n{result}"
        )


def world_traversable_directory(prefix: str) -> Path:
    """A fresh directory under /tmp that any user may enter."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    return path


@dataclass(frozen=True)
class Account:
    """A user as the system databases describe it."""

    name: str
    uid: int
    gid: int
    groups: frozenset[int]
    home: str

    @classmethod
    def from_system(cls, name: str) -> Account:
        """Read the passwd entry and every group listing the user as a member."""
        entry = pwd.getpwnam(name)
        member_of = {group.gr_gid for group in grp.getgrall() if name in group.gr_mem}
        return cls(
            name=name,
            uid=entry.pw_uid,
            gid=entry.pw_gid,
            groups=frozenset({entry.pw_gid} | member_of),
            home=entry.pw_dir,
        )


@dataclass(frozen=True)
class Accounts:
    """The users the tests drop to, and a group only the caller has."""

    nobody: Account
    member: Account
    canary_gid: int
    prefix: str

    def by_role(self, role: str) -> Account:
        return {"nobody": self.nobody, "member": self.member}[role]


@dataclass(frozen=True)
class Runner:
    """Starts one way of running the entrypoint inside a workspace."""

    workspace: Workspace
    prefix: tuple[str, ...]
    environ: Mapping[str, str] = field(default_factory=dict)
    extra_groups: tuple[int, ...] | None = None

    def __call__(
        self,
        *args: str | os.PathLike[str],
        env: Environ | None = None,
        cwd: Path | None = None,
        preexec_fn: Callable[[], object] | None = None,
    ) -> Result:
        """Run to completion and capture everything; never raises on failure."""
        done = commands.run(
            (*self.prefix, *args),
            env=self.workspace.environ({**self.environ, **(env or {})}),
            cwd=cwd or self.workspace.cwd,
            timeout=TIMEOUT_SECONDS,
            extra_groups=self.extra_groups,
            preexec_fn=preexec_fn,
        )
        return Result(**asdict(done))


PLANTED_MANIFEST = """\
# @required @secret
POSTGRES_PASSWORD=
POSTGRES_USER=appuser
POSTGRES_DB=appdb
# @required
DATABASE_URL=postgresql://${POSTGRES_USER}:${POSTGRES_PASSWORD|url}@db:5432/${POSTGRES_DB}
# @required @secret
JWT_SECRET=
# @required @secret
ADMIN_PASSWORD=
# @secret @file=openai_api_key
OPENAI_API_KEY=your_key_here
# @secret
ANTHROPIC_API_KEY=your_key_here
LOG_LEVEL=info
"""


@dataclass(frozen=True)
class Planted:
    """A manifest whose keys come from every kind of source.

    `values` is what the .env must hold except DATABASE_URL, which is derived;
    `environ` is what the entrypoint is started with; `tokens` are the random
    parts of the secret values, plain hex, so a leak shows even in escaped JSON.
    """

    manifest: Path
    environ: dict[str, str]
    values: dict[str, str]
    password: str
    tokens: list[str]

    @property
    def secrets(self) -> list[str]:
        keys = ("POSTGRES_PASSWORD", "JWT_SECRET", "ADMIN_PASSWORD", "OPENAI_API_KEY")
        return [self.values[key] for key in keys]
