"""The service's log output: ``event key=value`` lines on standard error."""

import logging
import sys

LOGGER_NAME = "app"

# Levels uvicorn accepts; "trace" is finer than the standard library has.
_LEVELS = {
    "critical": logging.CRITICAL,
    "error": logging.ERROR,
    "warning": logging.WARNING,
    "info": logging.INFO,
    "debug": logging.DEBUG,
    "trace": logging.DEBUG,
}


class _StderrHandler(logging.Handler):
    """Write to the current ``sys.stderr``, looked up at each record.

    A handler that kept the stream it was created with would write to a
    closed stream once a test's output capture had ended.
    """

    def emit(self, record: logging.LogRecord) -> None:
        """Write one formatted record."""
        try:
            sys.stderr.write(self.format(record) + "\n")
        except (OSError, ValueError):
            self.handleError(record)


def configure_logging(level: str) -> None:
    """Send the service's events to standard error at ``level`` and above."""
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(_LEVELS[level])
    if not any(isinstance(h, _StderrHandler) for h in logger.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        logger.addHandler(handler)

    # psycopg's debug events name the database host, port and user.
    logging.getLogger("psycopg").setLevel(max(_LEVELS[level], logging.INFO))
