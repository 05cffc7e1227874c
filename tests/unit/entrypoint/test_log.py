"""The JSON event logger."""

from __future__ import annotations

import io
import json

import pytest

from entrypoint.log import JsonLogger, configure


def test_event_is_one_json_object_per_line() -> None:
    """Fields, the event name, the level and a UTC timestamp, on one line."""
    stream = io.StringIO()
    log = JsonLogger(20, stream, {"logger": "entrypoint"})

    log.info("secrets.resolved", count=2, sources={"A": "env"})
    record = json.loads(stream.getvalue())

    assert stream.getvalue().count("\n") == 1
    assert record["event"] == "secrets.resolved"
    assert (record["level"], record["logger"], record["count"]) == (
        "info",
        "entrypoint",
        2,
    )
    assert record["sources"] == {"A": "env"}
    assert record["timestamp"].endswith("Z")


def test_events_below_the_threshold_are_dropped() -> None:
    """At info, debug events are not written."""
    stream = io.StringIO()
    log = JsonLogger(20, stream)

    log.debug("quiet")
    log.warning("loud")

    assert [json.loads(line)["event"] for line in stream.getvalue().splitlines()] == [
        "loud"
    ]


def test_bind_adds_context_without_changing_the_original() -> None:
    """A bound logger carries extra fields; its parent does not."""
    stream = io.StringIO()
    parent = JsonLogger(10, stream)

    parent.bind(pid=7).info("child")
    parent.info("parent")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())

    assert first["pid"] == 7
    assert "pid" not in second


def test_exc_info_adds_the_traceback() -> None:
    """`exc_info=True` inside an except block records the exception."""
    stream = io.StringIO()
    log = JsonLogger(10, stream)
    try:
        int("boom")
    except ValueError:
        log.debug("entrypoint.traceback", exc_info=True)

    assert "ValueError: invalid literal" in json.loads(stream.getvalue())["exception"]


def test_console_format_puts_error_and_hint_below_the_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """For a person: the event on one line, the message and hint as text under it."""
    log = configure("info", "console")

    log.error("entrypoint.failed", error="two problems:\n  - A\n  - B", hint="fix")
    lines = capsys.readouterr().err.splitlines()

    assert "entrypoint.failed" in lines[0]
    assert "\\n" not in lines[0]
    assert lines[1:] == [
        "    error: two problems:",
        "      - A",
        "      - B",
        "    hint: fix",
    ]
