"""A child with grandchildren, for tests of group signals, sweeping and reaping.

usage:
  family.py group        start signals.py "grandchild" 1 in this process
                         group, then become signals.py "child" 1
  family.py orphans N    leave N orphans, then report on them (see below)
  family.py stubborn N   start stubborn.py, wait until it ignores SIGTERM,
                         print "child exiting N" and exit N

Orphans: N intermediate processes each fork one grandchild and exit at
once, so the grandchildren are reparented to PID 1 or to the nearest
subreaper. While they are still alive this process notes how many were
adopted by its own parent, then lets them all exit together, waits up to
5 seconds for them to disappear and prints one line:
"orphans=N adopted=A zombies=Z alive=L".
"""

import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REAP_DEADLINE = 5.0


def say(text: str) -> None:
    os.write(1, f"{text}\n".encode())


def helper(name: str, *args: str) -> list[str]:
    return [sys.executable, os.path.join(HERE, name), *args]


def group() -> None:
    if os.fork() == 0:
        argv = helper("signals.py", "grandchild", "1")
        os.execv(argv[0], argv)
    argv = helper("signals.py", "child", "1")
    os.execv(argv[0], argv)


def stubborn(code: int) -> None:
    ready_read, ready_write = os.pipe()
    if os.fork() == 0:
        os.close(ready_read)
        os.set_inheritable(ready_write, True)
        argv = helper("stubborn.py", str(ready_write))
        os.execv(argv[0], argv)
    os.close(ready_write)
    os.read(ready_read, 1)
    say(f"child exiting {code}")
    sys.exit(code)


def identity(pid: int) -> tuple[str, str] | None:
    """(state, start time) of `pid`, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stream:
            fields = stream.read().rpartition(")")[2].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return fields[0], fields[19]


def parent_of(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as stream:
            return int(stream.read().rpartition(")")[2].split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return None


def orphans(count: int) -> None:
    release = os.pipe()
    report = os.pipe()
    for _ in range(count):
        if os.fork() == 0:
            grandchild = os.fork()
            if grandchild == 0:
                for descriptor in (release[1], *report):
                    os.close(descriptor)
                os.read(release[0], 1)
                os._exit(0)
            os.write(report[1], f"{grandchild}\n".encode())
            os._exit(0)
    os.close(report[1])
    for _ in range(count):
        os.wait()
    with os.fdopen(report[0]) as stream:
        pids = [int(line) for line in stream.read().split()]

    adopted = sum(parent_of(pid) == os.getppid() for pid in pids)
    first_seen = {pid: identity(pid) for pid in pids}
    os.close(release[1])
    os.close(release[0])

    deadline = time.monotonic() + REAP_DEADLINE
    left = list(pids)
    while left and time.monotonic() < deadline:
        time.sleep(0.02)
        left = [pid for pid in left if _same(pid, first_seen[pid])]
    states = [current[0] for pid in left if (current := identity(pid))]
    zombies = states.count("Z")
    say(
        f"orphans={len(pids)} adopted={adopted} zombies={zombies} "
        f"alive={len(states) - zombies}"
    )


def _same(pid: int, seen: tuple[str, str] | None) -> bool:
    """Whether `pid` still names the process first seen (not a reused pid)."""
    current = identity(pid)
    return current is not None and seen is not None and current[1] == seen[1]


def main() -> None:
    mode = sys.argv[1]
    if mode == "group":
        group()
    elif mode == "orphans":
        orphans(int(sys.argv[2]))
    elif mode == "stubborn":
        stubborn(int(sys.argv[2]))
    else:
        sys.exit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main()
