"""Start the command: find it, give it a clean environment, and exec it."""

from __future__ import annotations

import os
import signal
import stat
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from entrypoint.errors import CommandNotExecutableError, CommandNotFoundError
from entrypoint.privileges import Target

# Everything but the two signals no process can catch. Python ignores SIGPIPE
# and SIGXFSZ for its own sake, and a parent (nohup, a shell script) may have
# ignored or blocked others; a server that inherited that would never die of a
# broken pipe, or would miss its shutdown signal.
CATCHABLE = frozenset(signal.valid_signals()) - {signal.SIGKILL, signal.SIGSTOP}


class Launch(NamedTuple):
    """What the command runs as, with what. Init mode's parent clears `env`."""

    path: str
    argv: list[str]
    env: dict[str, str]
    target: Target | None

    def __repr__(self) -> str:
        return f"Launch(path={self.path!r}, argv={self.argv!r}, env=<hidden>)"


def find(program: str, path: str | None) -> str:
    """The file `execvp` would run for `program`, found before any change.

    Looking it up before the .env is written means a typo in CMD fails fast
    and leaves nothing behind.
    """
    if "/" in program:
        return _check_executable(program, program)

    seen_unexecutable = None
    for directory in (path or os.defpath).split(os.pathsep):
        candidate = os.path.join(directory or ".", program)
        try:
            info = os.stat(candidate)
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode) and info.st_mode & 0o111:
            return candidate
        seen_unexecutable = seen_unexecutable or candidate
    if seen_unexecutable is not None:
        return _check_executable(seen_unexecutable, program)
    raise CommandNotFoundError(
        f"command {program!r} was not found on PATH",
        hint="check CMD in the Dockerfile or the command given after the options",
    )


def _check_executable(candidate: str, program: str) -> str:
    try:
        info = os.stat(candidate)
    except FileNotFoundError:
        raise CommandNotFoundError(
            f"command {program!r} does not exist",
            hint="check CMD in the Dockerfile or the command given after the options",
        ) from None
    except OSError as error:
        raise CommandNotExecutableError(
            f"command {program!r} cannot be inspected: {error.strerror}",
            hint="check the permissions of the directories leading to it",
        ) from None
    if not stat.S_ISREG(info.st_mode) or not info.st_mode & 0o111:
        raise CommandNotExecutableError(
            f"command {program!r} is not an executable file",
            hint=f"chmod +x {candidate}, or run it through its interpreter",
        )
    return candidate


def child_environment(
    environ: Mapping[str, str],
    *,
    remove: Iterable[str],
    add: Mapping[str, str],
) -> dict[str, str]:
    """The parent's environment less `remove`, with `add` laid over it."""
    removed = set(remove)
    child = {key: value for key, value in environ.items() if key not in removed}
    child.update(add)
    return child


def scrub_environment() -> None:
    """Overwrite this process's environment strings and forget them.

    Clearing os.environ only unlinks the entries: the strings the kernel
    placed at exec stay in memory and in /proc/PID/environ. This zeroes them
    in place. Copies Python made at start-up may survive in freed heap.
    """
    import ctypes  # noqa: PLC0415 - only the resident init process needs it

    libc = ctypes.CDLL(None)
    libc.strlen.restype = ctypes.c_size_t
    libc.strlen.argtypes = [ctypes.c_void_p]
    array = ctypes.cast(
        ctypes.c_void_p.in_dll(libc, "environ"), ctypes.POINTER(ctypes.c_void_p)
    )
    index = 0
    while array and (address := array[index]):
        ctypes.memset(address, 0, libc.strlen(address))
        index += 1
    os.environ.clear()


def reset_signals() -> None:
    """Give the command default dispositions and an empty signal mask."""
    for number in CATCHABLE:
        try:
            signal.signal(number, signal.SIG_DFL)
        except (OSError, ValueError):
            continue  # glibc reserves a few real-time signals for threads
    signal.pthread_sigmask(signal.SIG_SETMASK, [])


def execute(path: str, argv: list[str], env: Mapping[str, str]) -> None:
    """Replace this process with the command; returns only by raising."""
    reset_signals()
    try:
        os.execve(path, argv, env)
    except PermissionError as error:
        raise CommandNotExecutableError(
            f"command {argv[0]!r} cannot be executed by this user: {error.strerror}",
            hint="make it executable for the unprivileged user, or check noexec mounts",
        ) from None
    except OSError as error:
        raise CommandNotExecutableError(
            f"command {argv[0]!r} cannot be executed: {error.strerror}",
            hint="check its interpreter line and architecture",
        ) from None
