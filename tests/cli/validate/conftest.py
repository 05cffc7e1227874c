"""A throwaway git project for running the installed `secretsctl validate`.

Every run gets a small explicit environment with its own HOME, so the
caller's shell histories and git configuration play no part.
"""

from __future__ import annotations

import os
import secrets
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pytest
from support import commands

BIN = Path(sys.executable).parent
SECRETSCTL = BIN / "secretsctl"
TIMEOUT_SECONDS = 120
WINDOW = 8

MANIFEST = """\
POSTGRES_USER=app
# @required @secret @generate=password
POSTGRES_PASSWORD=
# @required
DATABASE_URL=postgresql://${POSTGRES_USER}:${POSTGRES_PASSWORD|url}@db:5432/app
# @required @secret @generate=token:32
JWT_SECRET=
# @secret @file=openai_api_key
OPENAI_API_KEY=your_openai_key_here
LOG_LEVEL=info
"""


@dataclass(frozen=True)
class Result(commands.Result):
    """A run of `secretsctl validate`."""

    def assert_no_leak(self, values: list[str]) -> None:
        """No value, nor any eight characters of one, is in the output."""
        self.assert_reveals_none_of(*values, window=WINDOW)


@dataclass
class Project:
    """A git repository with a manifest, a development folder and a .env."""

    root: Path
    home: Path
    values: dict[str, str] = field(default_factory=dict)

    @property
    def planted(self) -> list[str]:
        return list(self.values.values())

    def write(self, name: str, content: str | bytes, mode: int = 0o644) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        path.chmod(mode)
        return path

    def git(self, *arguments: str) -> None:
        commands.run(["git", *arguments], cwd=self.root, env=self.environ()).expect(0)

    def environ(self) -> dict[str, str]:
        return {
            "PATH": f"{BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            "HOME": str(self.home),
            "LANG": "C.UTF-8",
            "GIT_CONFIG_NOSYSTEM": "1",
        }

    def validate(self, *arguments: str | Path, cwd: Path | None = None) -> Result:
        """Run the installed command in the project; never raises on failure."""
        done = commands.run(
            (SECRETSCTL, "validate", *arguments),
            cwd=cwd or self.root,
            env=self.environ(),
            timeout=TIMEOUT_SECONDS,
        )
        return Result(**asdict(done))


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A clean, committed project whose real values live in ignored places."""
    root = tmp_path / "project"
    home = tmp_path / "home"
    root.mkdir()
    home.mkdir()
    space = Project(root, home)
    space.values = {
        "POSTGRES_PASSWORD": secrets.token_urlsafe(18),
        "JWT_SECRET": secrets.token_urlsafe(32),
        "OPENAI_API_KEY": "sk-" + "proj-" + secrets.token_urlsafe(60),
    }
    folder = root / "config" / "secrets" / "development"
    folder.mkdir(parents=True, mode=0o700)
    folder.chmod(0o700)
    for key, value in space.values.items():
        space.write(f"config/secrets/development/{key.lower()}", value + "\n", 0o600)
    space.write(
        ".env", f"POSTGRES_PASSWORD={space.values['POSTGRES_PASSWORD']}\n", 0o600
    )
    space.write(".gitignore", ".env\nconfig/secrets/\nlogs/\n")
    space.write("secrets.example", MANIFEST)
    space.write("app/main.py", "print('hello')\n")

    space.git("init", "-q")
    space.git("config", "user.email", "test@example.com")
    space.git("config", "user.name", "Test")
    space.git("add", ".")
    space.git("commit", "-qm", "initial")
    return space
