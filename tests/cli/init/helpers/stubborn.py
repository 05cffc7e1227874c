"""A grandchild that shrugs off SIGTERM: it reports the signal and carries on.

usage: stubborn.py READY_FD

Prints "stubborn got 15" for each SIGTERM and keeps running, so only SIGKILL
ends it. Writes one byte to READY_FD once the handler is in place, then lives
for at most 30 seconds.
"""

import os
import signal
import sys
import time

LIFETIME = 30.0


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: os.write(1, b"stubborn got 15\n"))
    ready = int(sys.argv[1])
    os.write(ready, b"x")
    os.close(ready)

    deadline = time.monotonic() + LIFETIME
    while time.monotonic() < deadline:
        time.sleep(0.05)
    sys.exit(124)


if __name__ == "__main__":
    main()
