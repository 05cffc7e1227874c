"""Structured logging: dotted event names with fields, never a value.

Events carry key names, sources, counts and ids. The rule that matters here
is enforced by the data, not by this module: values travel as objects whose
text never reaches a log call.

JSON lines are rendered here by hand. Importing structlog costs more than the
entrypoint's whole start-up budget (it pulls in asyncio), and every container
start would pay it; the loggers below keep structlog's calling convention
(`log.info("event.name", key=value)`, `bind`) and its JSON field names. The
console format, meant for a person at a terminal, is structlog's own renderer.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any, TextIO

from entrypoint.errors import EntrypointError

LEVELS = {"debug": 10, "info": 20, "warning": 30, "error": 40}


class JsonLogger:
    """One JSON object per event on a stream, structlog-style."""

    def __init__(
        self, threshold: int, stream: TextIO, context: dict[str, Any] | None = None
    ) -> None:
        self.threshold = threshold
        self.stream = stream
        self.context = context or {}

    def bind(self, **fields: Any) -> JsonLogger:
        return JsonLogger(self.threshold, self.stream, {**self.context, **fields})

    def debug(self, event: str, **fields: Any) -> None:
        self._emit("debug", event, fields)

    def info(self, event: str, **fields: Any) -> None:
        self._emit("info", event, fields)

    def warning(self, event: str, **fields: Any) -> None:
        self._emit("warning", event, fields)

    def error(self, event: str, **fields: Any) -> None:
        self._emit("error", event, fields)

    def _emit(self, level: str, event: str, fields: dict[str, Any]) -> None:
        if LEVELS[level] < self.threshold:
            return
        if fields.pop("exc_info", False):
            import traceback  # noqa: PLC0415 - only debug output needs it

            fields["exception"] = traceback.format_exc()
        record = {**self.context, **fields, "event": event, "level": level}
        record["timestamp"] = _timestamp()
        self.stream.write(json.dumps(record, default=str) + "\n")
        self.stream.flush()


def failed(log: Any, error: EntrypointError) -> int:
    """Log the one event every failure ends in; return its exit code."""
    log.error(
        "entrypoint.failed",
        error=error.message,
        hint=error.hint,
        exit_code=error.exit_code,
    )
    return error.exit_code


def configure(level: str, form: str) -> Any:
    """A logger for stderr in the chosen format; debug, info, warning, error."""
    threshold = LEVELS[level]
    if threshold <= LEVELS["debug"]:
        # Tracebacks are rendered at debug level, possibly after the drop
        # to a user who cannot read the standard library: load it now.
        import traceback  # noqa: F401, PLC0415
    if form == "console":
        return _console(threshold).bind(logger="entrypoint")
    return JsonLogger(threshold, sys.stderr, {"logger": "entrypoint"})


def _console(threshold: int) -> Any:
    import structlog  # noqa: PLC0415 - a person at a terminal can wait for it

    console = structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())

    def render(logger: Any, name: str, event: Any) -> str:
        # A person reads errors and hints as text below the line, not as
        # quoted strings with \n escapes in the middle of it.
        prose = [
            f"{key}: {event.pop(key)}" for key in ("error", "hint") if event.get(key)
        ]
        line: str = console(logger, name, event)
        return "".join(
            [line, *("\n    " + text.replace("\n", "\n    ") for text in prose)]
        )

    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            render,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(threshold),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )
    return structlog.get_logger()


def _timestamp() -> str:
    now = time.time()
    seconds = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now))
    return f"{seconds}.{int(now % 1 * 1_000_000):06d}Z"
