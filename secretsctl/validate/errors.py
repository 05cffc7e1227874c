"""Exit codes of `secretsctl validate` and the error that carries the last one.

Scripts and pre-commit tell "the project has a problem" (1) from "validate
could not do its job" (2), so the two never share a code.
"""

from __future__ import annotations

from entrypoint.errors import EntrypointError

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


class ValidateError(EntrypointError):
    """Validation could not run: not a repository, unreadable input, bad option."""

    exit_code = EXIT_ERROR
