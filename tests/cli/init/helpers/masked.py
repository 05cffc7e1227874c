"""Exec a program with signals ignored and blocked, as a careless parent might.

usage: masked.py PROGRAM [ARG...]

Ignores SIGHUP, SIGINT, SIGQUIT and SIGUSR1 and blocks SIGUSR2 and SIGTERM,
then execs PROGRAM: ignored dispositions and the signal mask both survive
exec, so PROGRAM starts with them.
"""

import os
import signal
import sys

IGNORED = (signal.SIGHUP, signal.SIGINT, signal.SIGQUIT, signal.SIGUSR1)
BLOCKED = {signal.SIGUSR2, signal.SIGTERM}


def main() -> None:
    for number in IGNORED:
        signal.signal(number, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_BLOCK, BLOCKED)
    os.execv(sys.argv[1], sys.argv[1:])


if __name__ == "__main__":
    main()
