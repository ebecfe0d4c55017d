"""Markdown tables and the small statistics the benchmarks report (medians of rounds)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence

__all__ = ["fmt", "markdown", "median", "ratio"]


def markdown(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A GitHub-flavoured Markdown table; every row must have one cell per header."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    for row in rows:
        if len(row) != len(headers):
            raise ValueError(f"row {row!r} has {len(row)} cells, not {len(headers)}")
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    return "\n".join(lines) + "\n"


def median(values: Iterable[float]) -> float:
    """The median, NaN for no values (a peer that was not measured)."""
    listed = list(values)
    return statistics.median(listed) if listed else float("nan")


def ratio(top: float, bottom: float) -> float:
    """top / bottom, NaN when the bottom is zero or missing."""
    return top / bottom if bottom and not math.isnan(bottom) else float("nan")


def fmt(value: float, digits: int = 0, suffix: str = "") -> str:
    """A number for a table; `n/a` for NaN."""
    if math.isnan(value):
        return "n/a"
    return f"{value:,.{digits}f}{suffix}"
