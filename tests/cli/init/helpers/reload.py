"""Report reload signals together with the value the .env holds at that moment.

usage: reload.py KEY

Prints "ready" once its handlers are in place. On SIGHUP, SIGUSR1 or SIGUSR2
it prints "got N" and then "value V", V being KEY's value read from the file
named by $ENV_FILE (or "value <absent>"). On SIGTERM it prints "got 15" and
exits 0.

With --churn it also leaves behind one orphan every 0.2 seconds (a
grandchild whose parent exits at once), as a shell-script server might.
"""

import os
import signal
import sys
import time

LIFETIME = 30.0
RELOAD_SIGNALS = (signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2)


def say(text: str) -> None:
    os.write(1, f"{text}\n".encode())


def value_of(key: str) -> str:
    """KEY's value in a double-quoted dotenv line; plain test values only."""
    try:
        with open(os.environ["ENV_FILE"], encoding="utf-8") as stream:
            lines = stream.read().splitlines()
    except FileNotFoundError:
        return "<absent>"
    for line in lines:
        name, _, raw = line.partition("=")
        if name == key:
            return raw[1:-1] if raw.startswith('"') else raw
    return "<absent>"


def leave_orphan() -> None:
    if os.fork() == 0:
        if os.fork() == 0:
            os._exit(0)
        os._exit(0)
    os.wait()


def main() -> None:
    key = sys.argv[1]
    churn = "--churn" in sys.argv[2:]

    def reload(number: int, _frame: object) -> None:
        say(f"got {number}")
        say(f"value {value_of(key)}")

    def stop(number: int, _frame: object) -> None:
        say(f"got {number}")
        os._exit(0)

    for number in RELOAD_SIGNALS:
        signal.signal(number, reload)
    signal.signal(signal.SIGTERM, stop)
    say("ready")

    deadline = time.monotonic() + LIFETIME
    while time.monotonic() < deadline:
        if churn:
            leave_orphan()
        time.sleep(0.2)
    sys.exit(124)


if __name__ == "__main__":
    main()
