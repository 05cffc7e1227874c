"""Fixtures for init mode: the installed `entrypoint --init`, mostly as PID 1.

The entrypoint is started as PID 1 of a fresh PID namespace with
`unshare --pid --fork --mount-proc`, in a session of its own, so that teardown
can kill whatever a test left behind by session id, wherever it was
reparented. When the namespace's PID 1 exits, the kernel kills the rest of
the namespace too.

Each test gets a world-traversable workspace under /tmp with the secrets
directory, the .env's directory and copies of the helper programs: the child
runs as nobody, who can read neither pytest's tmp_path nor the venv under
/root, so the helpers run on Debian's python.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import cli_harness
import pytest
from cli_harness import SYSTEM_PATH, SYSTEM_PYTHON
from support.commands import describe, parse_events

ENTRYPOINT = Path(sys.executable).parent / "entrypoint"
HELPERS = Path(__file__).parent / "helpers"
UNSHARE = ("unshare", "--pid", "--fork", "--mount-proc")
TIMEOUT = 20.0

# A shell builtin loop, so that the status shown is the exec'd child's own.
STATUS_PROBE = (
    "/bin/sh",
    "-c",
    'while IFS= read -r line; do printf "%s\\n" "$line"; done < /proc/self/status',
)


@dataclass(frozen=True)
class Proc:
    """One line of the process table, as /proc/PID/stat gives it."""

    pid: int
    state: str
    ppid: int
    session: int


def processes() -> list[Proc]:
    """Every process visible in /proc right now."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            text = Path(f"/proc/{name}/stat").read_text()
        except OSError:
            continue
        fields = text.rpartition(")")[2].split()
        found.append(Proc(int(name), fields[0], int(fields[1]), int(fields[3])))
    return found


@dataclass(frozen=True)
class Result(cli_harness.Result):
    """A finished run that also knows when the entrypoint exited."""

    ended: float = 0.0


class Stream:
    """The lines of one pipe as they arrive, each with its arrival time."""

    def __init__(self, pipe: IO[bytes]) -> None:
        self.lines: list[tuple[float, str]] = []
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._read, args=(pipe,), daemon=True)
        self._thread.start()

    def _read(self, pipe: IO[bytes]) -> None:
        for raw in iter(pipe.readline, b""):
            line = raw.decode("utf-8", "backslashreplace").rstrip("\n")
            with self._changed:
                self.lines.append((time.monotonic(), line))
                self._changed.notify_all()
        pipe.close()

    def text(self) -> str:
        with self._changed:
            return "".join(f"{line}\n" for _, line in self.lines)

    def wait_for(
        self, wanted: Callable[[str], bool], timeout: float
    ) -> tuple[float, str] | None:
        """The first line (and its time) for which `wanted` holds, or None."""
        deadline = time.monotonic() + timeout
        checked = 0
        with self._changed:
            while True:
                for stamp, line in self.lines[checked:]:
                    if wanted(line):
                        return stamp, line
                checked = len(self.lines)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._changed.wait(remaining)

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)


class Supervised:
    """A running entrypoint whose output is collected while the test acts."""

    def __init__(
        self,
        argv: Sequence[str],
        env: Mapping[str, str],
        cwd: Path,
        *,
        in_namespace: bool,
        stdin: int = subprocess.DEVNULL,
    ) -> None:
        self.argv = tuple(argv)
        self.in_namespace = in_namespace
        self.popen = subprocess.Popen(
            self.argv,
            env=env,
            cwd=cwd,
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        assert self.popen.stdout is not None
        assert self.popen.stderr is not None
        self.stdout = Stream(self.popen.stdout)
        self.stderr = Stream(self.popen.stderr)
        self._pid: int | None = None

    def __str__(self) -> str:
        return describe(
            self.argv, self.popen.poll(), self.stdout.text(), self.stderr.text()
        )

    @property
    def pid(self) -> int:
        """The entrypoint's pid as seen from here (its pid is 1 inside)."""
        if not self.in_namespace:
            return self.popen.pid
        if self._pid is None:
            self._pid = self._namespace_init()
        return self._pid

    def _namespace_init(self) -> int:
        """The child of `unshare`, which is PID 1 of the new namespace."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            children = [p.pid for p in processes() if p.ppid == self.popen.pid]
            if children:
                return children[0]
            assert self.popen.poll() is None, f"unshare ended early\n{self}"
            time.sleep(0.01)
        raise AssertionError(f"unshare started nothing within {TIMEOUT} s\n{self}")

    def send(self, number: int) -> None:
        """Send signal `number` to the entrypoint itself."""
        os.kill(self.pid, number)

    def wait_for(self, line: str, timeout: float = TIMEOUT) -> float:
        """When the child printed exactly `line`; fails after `timeout`."""
        found = self.stdout.wait_for(lambda text: text == line, timeout)
        if found is None:
            raise AssertionError(f"no line {line!r} within {timeout} s\n{self}")
        return found[0]

    def wait_for_event(self, name: str, timeout: float = TIMEOUT) -> dict[str, Any]:
        """The first log event called `name`; fails after `timeout`."""

        def wanted(line: str) -> bool:
            return any(event.get("event") == name for event in parse_events([line]))

        found = self.stderr.wait_for(wanted, timeout)
        if found is None:
            raise AssertionError(f"no {name!r} event within {timeout} s\n{self}")
        return parse_events([found[1]])[0]

    def finish(self, timeout: float = TIMEOUT) -> Result:
        """Wait for the entrypoint to exit; kill everything if it does not."""
        try:
            code = self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"still running after {timeout} s\n{self}") from None
        ended = time.monotonic()
        self.stdout.join(5)
        self.stderr.join(5)
        return Result(
            self.argv, code, self.stdout.text(), self.stderr.text(), ended=ended
        )

    def kill(self) -> None:
        """SIGKILL every process of the session, then reap the top one."""
        for proc in processes():
            if proc.session == self.popen.pid:
                with suppress(ProcessLookupError):
                    os.kill(proc.pid, signal.SIGKILL)
        with suppress(subprocess.TimeoutExpired):
            self.popen.wait(5)


@dataclass
class Space:
    """A workspace any user can traverse; the .env goes to `app/.env`."""

    root: Path
    started: list[Supervised] = field(default_factory=list)

    @property
    def secrets(self) -> Path:
        return self.root / "secrets"

    @property
    def env_file(self) -> Path:
        return self.root / "app" / ".env"

    def helper(self, name: str, *args: str) -> list[str]:
        """Argv running one of the helper programs on Debian's python."""
        return [SYSTEM_PYTHON, str(self.root / "helpers" / name), *args]

    def secret(self, name: str, content: str | bytes) -> Path:
        """Replace secret file `name` in one step, as an update would."""
        staging = self.root / "staging"
        staging.write_bytes(content.encode() if isinstance(content, str) else content)
        staging.chmod(0o644)
        target = self.secrets / name
        staging.replace(target)
        return target

    def start(
        self,
        *command: str,
        options: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
        user: str | None = "nobody",
        namespace: bool = True,
        outer: Sequence[str] = (),
        inner: Sequence[str] = (),
        stdin: int = subprocess.DEVNULL,
        init: bool = True,
    ) -> Supervised:
        """Start `entrypoint --init ... -- command` and return at once.

        `user=None` runs the child as root; `outer` wraps `unshare` and
        `inner` wraps the entrypoint inside the namespace; `stdin` is a file
        descriptor, /dev/null by default; `init=False` leaves out `--init`.
        """
        identity = ("--user", user) if user else ("--allow-root",)
        argv = [
            *outer,
            *(UNSHARE if namespace else ()),
            *inner,
            str(ENTRYPOINT),
            *(["--init"] if init else []),
            "--secrets-dir",
            str(self.secrets),
            "--env-file",
            str(self.env_file),
            *identity,
            *options,
            "--",
            *command,
        ]
        environ = {
            "PATH": SYSTEM_PATH,
            "LANG": "C.UTF-8",
            "ENTRYPOINT_LOG_FORMAT": "json",
            **(env or {}),
        }
        supervised = Supervised(
            argv, environ, self.root, in_namespace=namespace, stdin=stdin
        )
        self.started.append(supervised)
        return supervised

    def run(self, *command: str, **options: Any) -> Result:
        """Start and wait for the exit, within the usual timeout."""
        return self.start(*command, **options).finish()


@pytest.fixture
def space() -> Iterator[Space]:
    """A fresh workspace; every process started in it is killed afterwards."""
    root = Path(tempfile.mkdtemp(prefix="init-test-"))
    root.chmod(0o755)
    workspace = Space(root)
    workspace.secrets.mkdir(mode=0o755)
    shutil.copytree(HELPERS, root / "helpers", ignore=shutil.ignore_patterns("__*"))
    for path in (root / "helpers").iterdir():
        path.chmod(0o644)
    (root / "helpers").chmod(0o755)
    try:
        yield workspace
    finally:
        for supervised in workspace.started:
            supervised.kill()
        shutil.rmtree(root, ignore_errors=True)
