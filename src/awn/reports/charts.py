"""Chart geometry for the server-rendered SVG charts (templates/reports/_*_chart.html draw it).

No chart library and no script: each function turns numbers into coordinates. In a right-to-left language
the horizontal axis is mirrored (time and hours run from right to left, the value axis stands on the right),
so a chart reads in the same direction as the text around it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

# Colour-blind-safe palette (Okabe–Ito), also distinguishable in greyscale by the dash patterns.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
DASHES = ["", "6 3", "2 3", "8 3 2 3", "1 2", "10 4", "4 4", "3 6"]


def nice_ceiling(value: float) -> float:
    """A round number ≥ value for the top of an axis (1, 2, 2.5, 5 × 10^n)."""
    if value <= 0:
        return 1
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        candidate = step * 10**exponent
        if candidate >= value:
            return candidate
    return 10 ** (exponent + 1)


@dataclass
class Series:
    label: str
    points: str
    color: str
    dash: str
    total: float


@dataclass
class Tick:
    x: float
    y: float
    label: str


@dataclass
class LineChart:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    rtl: bool
    series: list[Series] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    empty: bool = True

    @property
    def value_axis_x(self) -> float:
        return self.right if self.rtl else self.left

    @property
    def label_anchor(self) -> str:
        # Value labels sit outside the plot, next to the value axis.
        return "start" if self.rtl else "end"

    @property
    def label_x(self) -> float:
        return self.right + 6 if self.rtl else self.left - 6


def line_chart(
    days: Sequence[date],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    rtl: bool,
    day_label: Callable[[date], str],
    value_label: Callable[[float], str] = lambda v: f"{v:,.0f}",
    width: int = 720,
    height: int = 240,
) -> LineChart:
    """Lines over days; `series` are (label, one value per day)."""
    chart = LineChart(
        width=width, height=height, left=56, right=width - 56, top=12, bottom=height - 28, rtl=rtl
    )
    top_value = nice_ceiling(max((max(values, default=0) for _label, values in series), default=0))
    span = max(len(days) - 1, 1)
    plot_width = chart.right - chart.left

    def x_of(index: int) -> float:
        offset = plot_width * index / span
        return chart.right - offset if rtl else chart.left + offset

    def y_of(value: float) -> float:
        return chart.bottom - (chart.bottom - chart.top) * (value / top_value)

    for number, (label, values) in enumerate(series):
        points = " ".join(f"{x_of(i):.1f},{y_of(v):.1f}" for i, v in enumerate(values))
        chart.series.append(
            Series(
                label=label,
                points=points,
                color=PALETTE[number % len(PALETTE)],
                dash=DASHES[number % len(DASHES)],
                total=sum(values),
            )
        )
        chart.empty = chart.empty and not any(values)
    for step in range(5):
        value = top_value * step / 4
        chart.y_ticks.append(Tick(x=chart.label_x, y=y_of(value), label=value_label(value)))
    if days:
        count = min(len(days), 7)
        for k in range(count):
            index = round(k * (len(days) - 1) / max(count - 1, 1))
            chart.x_ticks.append(Tick(x=x_of(index), y=chart.bottom + 18, label=day_label(days[index])))
    return chart


@dataclass
class Bar:
    label: str
    value: float | None
    text: str
    y: float
    x: float
    length: float
    color: str


@dataclass
class BarChart:
    width: int
    height: int
    label_x: float
    label_anchor: str
    bars: list[Bar]


def bar_chart(items: Sequence[tuple[str, float | None, str]], *, rtl: bool, width: int = 340) -> BarChart:
    """Horizontal bars (label, value, value as text), growing from the start edge of the text direction."""
    row = 26
    label_width = 110
    plot_start, plot_end = label_width + 8, width - 70
    top = nice_ceiling(max((v or 0 for _l, v, _t in items), default=0))
    bars = []
    for index, (label, value, text) in enumerate(items):
        length = (plot_end - plot_start) * ((value or 0) / top)
        x = width - plot_start - length if rtl else plot_start
        bars.append(
            Bar(
                label=label,
                value=value,
                text=text,
                y=index * row + 4,
                x=x,
                length=length,
                color=PALETTE[index % len(PALETTE)],
            )
        )
    return BarChart(
        width=width,
        height=len(items) * row + 8,
        label_x=width - label_width if rtl else label_width,
        label_anchor="start" if rtl else "end",
        bars=bars,
    )


@dataclass
class Cell:
    x: float
    y: float
    opacity: float
    title: str


@dataclass
class Heatmap:
    width: int
    height: int
    cell: int
    cells: list[Cell]
    rows: list[Tick]
    columns: list[Tick]
    row_anchor: str = "end"


def heatmap(
    grid: Sequence[Sequence[float | None]],
    *,
    row_labels: Sequence[str],
    rtl: bool,
    title: Callable[[int, int, float | None], str],
) -> Heatmap:
    """7 rows (Monday first) × 24 hours; darker is more. Hours run with the text direction."""
    cell = 22
    label_width = 80
    width = label_width + 24 * cell + 4
    highest = max((v for row in grid for v in row if v is not None), default=0) or 1
    cells = []
    for r, row in enumerate(grid):
        for h, value in enumerate(row):
            x = (width - label_width - (h + 1) * cell) if rtl else (label_width + h * cell)
            opacity = 0.06 if value is None else 0.12 + 0.88 * (value / highest)
            cells.append(Cell(x=x, y=r * cell + 18, opacity=round(opacity, 3), title=title(r, h, value)))
    rows = [
        Tick(x=width - label_width + 6 if rtl else label_width - 6, y=r * cell + 18 + cell * 0.7, label=label)
        for r, label in enumerate(row_labels)
    ]
    columns = [
        Tick(
            x=((width - label_width - (h + 0.5) * cell) if rtl else (label_width + (h + 0.5) * cell)),
            y=12,
            label=str(h),
        )
        for h in range(0, 24, 3)
    ]
    return Heatmap(
        width=width,
        height=7 * cell + 22,
        cell=cell,
        cells=cells,
        rows=rows,
        columns=columns,
        row_anchor="start" if rtl else "end",
    )
