"""Errors of the swarm subcommands and their exit codes (from sysexits.h)."""

from __future__ import annotations

from entrypoint.errors import EntrypointError

EX_UNAVAILABLE = 69
EX_TEMPFAIL = 75


class SwarmError(EntrypointError):
    """The engine cannot be reached, is not a swarm manager, or refused a call."""

    exit_code = EX_UNAVAILABLE


class ConflictError(SwarmError):
    """The service changed between reading it and updating it."""


class RolloutError(EntrypointError):
    """A service did not converge on a new secret version; the old one is kept."""

    exit_code = EX_TEMPFAIL
