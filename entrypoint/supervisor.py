"""Init mode: stay resident as PID 1, forward signals, reap, clean up.

All catchable signals are blocked before the fork and collected with
`sigtimedwait`, the way tini does it: the kernel drops signals that PID 1 has
no handler for, but blocked signals are always queued, and a synchronous wait
needs no handler that could race with the reaping loop.

Secrets are resolved and the .env written in the child, after the fork, so
the long-lived parent never reads a value; a failure there is the child's
exit code.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable, Mapping
from contextlib import suppress
from typing import Any

from entrypoint import privileges
from entrypoint.errors import EX_NOEXEC, EX_SOFTWARE, EntrypointError
from entrypoint.log import failed
from entrypoint.process import CATCHABLE, Launch, reset_signals
from entrypoint.settings import Supervision
from entrypoint.watch import Watcher

PR_SET_CHILD_SUBREAPER = 36
WATCH_INTERVAL = 1.0

_NOT_FORWARDED = frozenset({signal.SIGCHLD})


def run(
    prepare: Callable[[], Launch],
    supervision: Supervision,
    log: Any,
    watcher: Watcher | None = None,
    forget: Callable[[], None] = lambda: None,
) -> int:
    """Fork a child that runs `prepare` then execs; look after it.

    `forget` runs in the parent right after the fork, to drop what only the
    child needed. Returns the exit code to report.
    """
    signal.pthread_sigmask(signal.SIG_BLOCK, CATCHABLE)
    if os.getpid() != 1:
        _become_subreaper(log)

    pid = os.fork()
    if pid == 0:
        _child(prepare, log)
    with suppress(OSError):
        os.setpgid(pid, pid)
    forget()
    log.info("command.started", pid=pid, mode="init")

    status = _wait(pid, supervision, watcher, log)
    _sweep(pid, supervision.grace, log)
    code = _exit_code(status)
    log.info("command.exited", pid=pid, exit_code=code)
    return 0 if code in supervision.success_exits else code


def _child(prepare: Callable[[], Launch], log: Any) -> None:
    """In the fork: own group, the terminal, the .env, default signals, drop, exec."""
    try:
        os.setpgid(0, 0)
        _take_terminal()
        launch = prepare()
        reset_signals()
        privileges.become(launch.target, log)
        log.info("command.exec", program=launch.argv[0], path=launch.path)
        os.execve(launch.path, launch.argv, launch.env)
    except EntrypointError as error:
        os._exit(failed(log, error))
    except OSError as error:
        log.error("entrypoint.failed", error=f"exec failed: {error.strerror}")
        os._exit(EX_NOEXEC)
    except BaseException:  # noqa: BLE001 - a fork must never return into the caller
        log.error("entrypoint.failed", error="unexpected error in the child")
        os._exit(EX_SOFTWARE)


def _take_terminal() -> None:
    """Make the child's group the terminal's foreground group, if there is one."""
    if not sys.stdin.isatty():
        return
    previous = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    with suppress(OSError):
        os.tcsetpgrp(sys.stdin.fileno(), os.getpgrp())
    signal.signal(signal.SIGTTOU, previous)


def _wait(pid: int, supervision: Supervision, watcher: Watcher | None, log: Any) -> int:
    """Forward signals and reap until the main child exits; its wait status.

    The watcher is polled on a clock of its own, so a steady stream of
    signals (orphans dying every few milliseconds) cannot starve it.
    """
    interval = WATCH_INTERVAL if watcher else 3600.0
    next_poll = time.monotonic() + interval
    while True:
        info = signal.sigtimedwait(CATCHABLE, max(next_poll - time.monotonic(), 0))
        if time.monotonic() >= next_poll:
            next_poll = time.monotonic() + interval
            if watcher is not None and watcher.changed():
                _reload(pid, supervision, watcher, log)
        if info is None:
            continue
        if info.si_signo in _NOT_FORWARDED:
            status = _reap().get(pid)
            if status is not None:
                return status
            continue
        _forward(pid, info.si_signo, supervision.single_child, log)


def _forward(pid: int, number: int, single_child: bool, log: Any) -> None:
    log.debug("signal.forwarded", signal=signal.Signals(number).name, pid=pid)
    with suppress(ProcessLookupError):
        if single_child:
            os.kill(pid, number)
        else:
            os.killpg(pid, number)


def _reap() -> Mapping[int, int]:
    """Collect every exited child, ours or adopted; their wait statuses."""
    statuses: dict[int, int] = {}
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return statuses
        if pid == 0:
            return statuses
        statuses[pid] = status


def _sweep(group: int, grace: float, log: Any) -> None:
    """TERM what is left of the child's group, then KILL it after `grace`."""
    try:
        os.killpg(group, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while (remaining := deadline - time.monotonic()) > 0:
        _reap()
        if not _alive(group):
            return
        signal.sigtimedwait({signal.SIGCHLD}, min(remaining, 0.05))
    _reap()
    if _alive(group):
        log.warning("command.group_killed", group=group, grace=grace)
        with suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
        time.sleep(0.01)
        _reap()


def _alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def _exit_code(status: int) -> int:
    """The shell's convention: the exit status, or 128+N for signal N."""
    code = os.waitstatus_to_exitcode(status)
    return 128 - code if code < 0 else code


def _become_subreaper(log: Any) -> None:
    """Adopt orphaned grandchildren even when another process is PID 1."""
    import ctypes  # noqa: PLC0415 - only paid when not PID 1

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0:
        log.debug("init.subreaper", reason="not PID 1", pid=os.getpid())


def _reload(pid: int, supervision: Supervision, watcher: Watcher, log: Any) -> None:
    if watcher.reload():
        log.info(
            "secrets.reloaded",
            signal=signal.Signals(supervision.reload_signal).name,
            pid=pid,
        )
        with suppress(ProcessLookupError):
            os.kill(pid, supervision.reload_signal)
