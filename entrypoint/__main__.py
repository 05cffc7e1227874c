"""`python -m entrypoint` runs the same command as the console script."""

import sys

from entrypoint.cli import main

sys.exit(main())
