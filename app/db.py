"""Readiness: one real query to PostgreSQL, reported without credentials."""

import asyncio
from dataclasses import dataclass

import psycopg
from pydantic import SecretStr

CONNECT_TIMEOUT_SECONDS = 3

# libpq may try several addresses for one host name, each with its own
# timeout, so the whole check gets a bound of its own.
CHECK_TIMEOUT_SECONDS = 2 * CONNECT_TIMEOUT_SECONDS + 1


@dataclass(frozen=True)
class DatabaseStatus:
    """The outcome of a readiness check; ``reason`` is safe to show anyone."""

    ok: bool
    reason: str | None = None


def check_database(url: SecretStr) -> DatabaseStatus:
    """Connect with ``url`` and run ``SELECT 1``, blocking the calling thread."""
    try:
        with psycopg.connect(
            url.get_secret_value(), connect_timeout=CONNECT_TIMEOUT_SECONDS
        ) as conn:
            conn.execute("SELECT 1").fetchone()
    except psycopg.Error as exc:
        return DatabaseStatus(ok=False, reason=describe_failure(exc))
    return DatabaseStatus(ok=True)


async def check_database_async(url: SecretStr) -> DatabaseStatus:
    """Run `check_database` in a worker thread so the event loop keeps serving."""
    try:
        return await asyncio.wait_for(
            asyncio.to_thread(check_database, url), CHECK_TIMEOUT_SECONDS
        )
    except TimeoutError as exc:
        return DatabaseStatus(ok=False, reason=describe_failure(exc))


def describe_failure(exc: BaseException) -> str:
    """Name the failure by class and a fixed phrase.

    psycopg's messages can quote the host, port and user name, and a
    connection-string error can quote the string itself, so none of the
    exception's text is kept.
    """
    return f"{type(exc).__name__}: {_phrase(exc)}"


def _phrase(exc: BaseException) -> str:
    """Pick the fixed phrase that best describes ``exc``."""
    if isinstance(exc, psycopg.errors.ConnectionTimeout | TimeoutError):
        return "database timed out"
    if isinstance(exc, psycopg.OperationalError):
        # The text is only inspected, never returned.
        if "authentication failed" in str(exc):
            return "authentication failed"
        return "database unreachable"
    if isinstance(exc, psycopg.ProgrammingError):
        return "invalid database URL"
    return "database error"
