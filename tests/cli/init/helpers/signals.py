"""Print each signal this process receives, one line per signal.

usage: signals.py LABEL [COUNT]

Installs a handler for every signal from 1 to 31 that a process can catch,
except SIGCHLD, then prints "LABEL ready". Each signal prints "LABEL got N".
After COUNT signals (default: never) it exits 0. With handlers installed the
stop signals (TSTP, TTIN, TTOU) are reported instead of stopping it.

Every line is a single write() so that lines from several processes sharing
one pipe never interleave. The process gives up after 30 seconds so that a
forgotten helper cannot outlive its test for long.
"""

import os
import signal
import sys
import time

NOT_HANDLED = {signal.SIGKILL, signal.SIGSTOP, signal.SIGCHLD}
LIFETIME = 30.0


def say(text: str) -> None:
    os.write(1, f"{text}\n".encode())


def main() -> None:
    label = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    received = 0

    def handle(number: int, _frame: object) -> None:
        nonlocal received
        say(f"{label} got {number}")
        received += 1
        if count and received >= count:
            os._exit(0)

    for number in range(1, 32):
        if number not in NOT_HANDLED:
            signal.signal(number, handle)
    say(f"{label} ready")

    deadline = time.monotonic() + LIFETIME
    while time.monotonic() < deadline:
        time.sleep(0.05)
    say(f"{label} timed out")
    sys.exit(124)


if __name__ == "__main__":
    main()
