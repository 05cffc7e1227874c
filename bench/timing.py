"""How every benchmark here measures: alternating rounds, spreads, ratios."""

from __future__ import annotations

import statistics
from collections.abc import Callable


def alternate(
    runners: dict[str, Callable[[], float]], rounds: int
) -> dict[str, list[float]]:
    """Run each runner once per round, rotating the order; their results.

    One unrecorded warm-up round comes first (page cache, the first fork),
    and rotating the order spreads a noisy neighbour over every runner.
    """
    names = list(runners)
    results: dict[str, list[float]] = {name: [] for name in names}
    for round_number in range(rounds + 1):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            value = runners[name]()
            if round_number:
                results[name].append(value)
    return results


def spread(milliseconds: list[float], digits: int = 2) -> dict[str, float]:
    """Median, min and max."""
    return {
        "median_ms": round(statistics.median(milliseconds), digits),
        "min_ms": round(min(milliseconds), digits),
        "max_ms": round(max(milliseconds), digits),
    }


def ratio(mine: list[float], theirs: list[float]) -> float:
    """The median of the round-by-round ratios mine / theirs."""
    return round(statistics.median(a / b for a, b in zip(mine, theirs, strict=True)), 3)
