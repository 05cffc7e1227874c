"""`secretsctl generate`: development secrets from the manifest's recipes.

The subcommand itself lives in `command`; `recipes` makes values, `files`
writes them, `gitignore` keeps them out of commits and `development_env`
writes the optional .env.
"""

from __future__ import annotations

from secretsctl.generate.command import HELP, configure, run

__all__ = ["HELP", "configure", "run"]
