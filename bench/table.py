"""One row per figure, and the single table `make bench` prints."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

HEADERS = ("Figure", "Measured", "Value", "Baseline", "Ratio", "Target", "Met")


@dataclass(frozen=True)
class Row:
    figure: str  # the heading: "Cold start", "Big sources", ...
    measured: str  # what this row measures
    value: str
    baseline: str = ""
    ratio: str = ""
    target: str = ""
    met: bool | None = None  # None: no target for this row

    def cells(self) -> tuple[str, ...]:
        met = "" if self.met is None else ("yes" if self.met else "NO")
        return (self.figure, self.measured, self.value, self.baseline, self.ratio, self.target, met)


def render(rows: Sequence[Row], title: str | None = None) -> str:
    table = [HEADERS] + [row.cells() for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(HEADERS))]

    def line(cells: Iterable[str]) -> str:
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths)) + " |"

    out = [line(HEADERS), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(row.cells()) for row in rows]
    if title:
        out.insert(0, title)
    return "\n".join(out)


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def kib(size: int) -> str:
    return f"{size / 1024:.1f} KiB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.2f} MiB"
