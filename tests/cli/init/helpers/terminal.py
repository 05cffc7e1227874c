"""Make stdin the controlling terminal of this new session, then exec a program.

usage: terminal.py PROGRAM [ARG...]

Run as a session leader (for example with start_new_session) whose stdin is
a pseudo-terminal, as the first process of a container started with
`docker run -t` would be.
"""

import fcntl
import os
import sys
import termios


def main() -> None:
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    os.execvp(sys.argv[1], sys.argv[1:])


if __name__ == "__main__":
    main()
