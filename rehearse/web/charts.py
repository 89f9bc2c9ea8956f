"""Bar-chart geometry for the server-rendered SVG charts of the progress page.

Pure arithmetic: numbers in, rectangles and text positions out, in the units of the
SVG's ``viewBox``. The templates only draw what these functions return, so the pages
need no JavaScript to show a chart and the geometry tests without a database.

Bars are scaled to the largest value (or to a fixed ``max_value``, e.g. 1.0 for a
proportion), so the tallest bar fills the plot; with nothing but zeros every bar has
zero size. A number is written next to its bar only where it fits.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# The charts' text size in viewBox units; site.css sets the same size for ``.chart.sized``
# text, and the widths below are estimated from it (an average glyph of a system sans-serif
# is about 0.6 em wide).
FONT_SIZE = 13
CHAR_WIDTH = 0.6 * FONT_SIZE
WIDTH = 360
PAD = 4  # between a bar and its number, between labels


def text_width(text: str) -> float:
    """An estimate of how wide ``text`` is drawn, in viewBox units."""
    return len(text) * CHAR_WIDTH


def number(value: float) -> str:
    """A count as people write it: 1,234; a fractional value keeps one decimal."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


@dataclass(frozen=True)
class Bar:
    """One rectangle: a category's value (one series of it, when bars are stacked)."""

    x: float
    y: float
    width: float
    height: float
    label: str
    value: float
    series: int = 0  # 0 is the first (bottom) series; the template colours the others apart


@dataclass(frozen=True)
class Label:
    """A piece of text: a category's name, or the number drawn at a bar's end."""

    x: float
    y: float
    text: str
    anchor: str = "middle"  # SVG text-anchor: start, middle or end


@dataclass(frozen=True)
class Chart:
    width: float
    height: float
    bars: tuple[Bar, ...]
    labels: tuple[Label, ...]  # the categories
    values: tuple[Label, ...]  # the numbers, where they fit
    axis: tuple[float, float, float, float]  # the baseline: x1, y1, x2, y2

    @property
    def view_box(self) -> str:
        return f"0 0 {_r(self.width)} {_r(self.height)}"


def _r(value: float) -> float:
    return round(value, 2)


def _scale(largest: float, max_value: float | None) -> float:
    scale = largest if max_value is None else max_value
    return scale if scale > 0 else 0.0


def _fraction(value: float, scale: float) -> float:
    """``value`` as a share of the scale, within [0, 1]; 0 when there is no scale."""
    if scale <= 0:
        return 0.0
    return min(max(value, 0.0), scale) / scale


def _centred(x: float, y: float, text: str, width: float) -> Label:
    """Text centred on ``x``, moved in from either edge of the chart if it would stick out."""
    half = text_width(text) / 2
    if x + half > width:
        return Label(x=_r(width), y=_r(y), text=text, anchor="end")
    if x - half < 0:
        return Label(x=0, y=_r(y), text=text, anchor="start")
    return Label(x=_r(x), y=_r(y), text=text)


def column_chart(
    columns: Sequence[tuple[str, Sequence[float]]],
    *,
    width: float = WIDTH,
    plot_height: float = 140,
    max_value: float | None = None,
    value_text: Callable[[float], str] = number,
) -> Chart:
    """Vertical bars, one column per category, its values stacked bottom up.

    Each column is ``(label, [value of series 0, value of series 1, ...])``; the number
    above a column is its total, written above every column or above none (when one
    would not fit its column's width). Category labels are thinned out (every second,
    third... counting back from the last column) when they would overlap.
    """
    top = FONT_SIZE + PAD * 2
    baseline = top + plot_height
    height = baseline + FONT_SIZE + PAD * 2
    count = len(columns)
    widest = max((text_width(label) for label, _ in columns), default=0.0)
    # Room at each side for half of a label centred under the first or last column.
    left = right = max(PAD, widest / 2)
    slot = (width - left - right) / count if count else 0.0
    bar_width = slot * 0.7
    totals = [sum(max(value, 0.0) for value in values) for _, values in columns]
    scale = _scale(max(totals, default=0.0), max_value)

    texts = [value_text(total) for total in totals]
    numbered = all(
        text_width(text) <= slot for text, total in zip(texts, totals, strict=True) if total > 0
    )
    step = max(1, math.ceil((widest + PAD) / slot)) if slot else 1
    bars: list[Bar] = []
    labels: list[Label] = []
    values: list[Label] = []
    for index, ((label, series), total, text) in enumerate(
        zip(columns, totals, texts, strict=True)
    ):
        x = left + index * slot + (slot - bar_width) / 2
        stacked = 0.0
        for series_index, value in enumerate(series):
            # Past a fixed max_value, the stack is cut at the top of the plot.
            bar_height = min(_fraction(value, scale) * plot_height, plot_height - stacked)
            stacked += bar_height
            bars.append(
                Bar(
                    x=_r(x),
                    y=_r(baseline - stacked),
                    width=_r(bar_width),
                    height=_r(bar_height),
                    label=label,
                    value=value,
                    series=series_index,
                )
            )
        centre = x + bar_width / 2
        if numbered and total > 0:
            values.append(_centred(centre, baseline - stacked - PAD, text, width))
        if (count - 1 - index) % step == 0:
            labels.append(_centred(centre, baseline + FONT_SIZE + PAD, label, width))
    return Chart(
        width=width,
        height=height,
        bars=tuple(bars),
        labels=tuple(labels),
        values=tuple(values),
        axis=(left, baseline, _r(width - right), baseline),
    )


def bar_chart(
    rows: Sequence[tuple[str, float]],
    *,
    width: float = WIDTH,
    max_value: float | None = None,
    value_text: Callable[[float], str] = number,
    bar_height: float = 14,
) -> Chart:
    """Horizontal bars, one row per category: its name above, the bar and its number below.

    Room for the widest number is kept right of the plot, so every number is written;
    a name too long for the width is shortened with an ellipsis.
    """
    left = PAD
    value_room = max((text_width(value_text(value)) for _, value in rows), default=0.0) + PAD
    plot_width = width - left - PAD - value_room
    row_height = FONT_SIZE + PAD + bar_height + PAD * 3
    height = PAD + len(rows) * row_height
    scale = _scale(max((value for _, value in rows), default=0.0), max_value)
    fits = max(1, int((width - left - PAD * 2) / CHAR_WIDTH))

    bars: list[Bar] = []
    labels: list[Label] = []
    values: list[Label] = []
    for index, (label, value) in enumerate(rows):
        row_top = PAD + index * row_height
        name = label if len(label) <= fits else label[: fits - 1].rstrip() + "…"
        labels.append(Label(x=left + PAD, y=_r(row_top + FONT_SIZE), text=name, anchor="start"))
        bar_top = row_top + FONT_SIZE + PAD
        length = _fraction(value, scale) * plot_width
        bars.append(
            Bar(
                x=left,
                y=_r(bar_top),
                width=_r(length),
                height=bar_height,
                label=label,
                value=value,
            )
        )
        values.append(
            Label(
                x=_r(left + length + PAD),
                y=_r(bar_top + bar_height / 2 + FONT_SIZE * 0.35),
                text=value_text(value),
                anchor="start",
            )
        )
    return Chart(
        width=width,
        height=height,
        bars=tuple(bars),
        labels=tuple(labels),
        values=tuple(values),
        axis=(left, PAD, left, _r(height - PAD)),
    )
