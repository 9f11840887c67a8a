"""The summaries' native Excel charts, drawn from the tables written on their sheets (so a
reader who changes a figure sees the chart follow)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from workbook_tools.returns.rules import (
    AMBER,
    DECLINED,
    GREEN,
    IMPROVED,
    NEW,
    NO_CHANGE,
    NOT_COMPARABLE,
    RED,
)
from workbook_tools.summary.tables import NO_RATING, NOT_RATED
from workbook_tools.summary.write import Block, Book

COLOURS = {
    GREEN: "#3C8D40", AMBER: "#F0A30A", RED: "#C0392B",
    NOT_RATED: "#BFBFBF", NO_RATING: "#BFBFBF",
    IMPROVED: "#3C8D40", NO_CHANGE: "#8C8C8C", DECLINED: "#C0392B", NEW: "#5B9BD5",
    NOT_COMPARABLE: "#8064A2",
    "Target (£)": "#9DC3E6", "Forecast (£)": "#1F4E78", "Delivered to date (£)": "#3C8D40",
    "Finance confirmed (£)": "#7030A0", "Programme target (£)": "#C0392B",
}
MILLIONS = '"£"0.0,,"m"'
TITLE_FONT = {"size": 12, "bold": True, "color": "#1F4E78"}
AXIS_FONT = {"size": 9, "color": "#404040"}
GRIDLINES = {"visible": True, "line": {"color": "#D9D9D9"}}


def _series_name(header: Any) -> str:
    text = header[-1] if isinstance(header, tuple) else str(header)
    return str(text).replace(" (£)", "")


def _finish(chart: Any, title: str, legend: str = "bottom") -> Any:
    chart.set_title({"name": title, "name_font": TITLE_FONT})
    chart.set_legend({"position": legend, "font": AXIS_FONT})
    chart.set_chartarea({"border": {"color": "#D9D9D9"}})
    return chart


def stacked_bar(book: Book, block: Block, category: Any, series: Sequence[Any], title: str,
                rows: int | None = None) -> Any:
    """Counts stacked in one bar per category (RAG by theme, direction of travel by theme),
    categories listed top to bottom as in the table (its first `rows`), each segment labelled
    with its count."""
    chart = book.workbook.add_chart({"type": "bar", "subtype": "stacked"})
    for header in series:
        name = _series_name(header)
        chart.add_series({
            "name": name,
            "categories": block.ref(category, rows),
            "values": block.ref(header, rows),
            "fill": {"color": COLOURS.get(name, "#5B9BD5")},
            "border": {"color": "#FFFFFF"},
            "gap": 60,
            "data_labels": {"value": True, "num_format": "0;;;",
                            "font": {"size": 9, "bold": True, "color": "#FFFFFF"}},
        })
    # A bar chart's y axis is its category axis: reversed, the categories read top to bottom as
    # in the table, and crossing at the last keeps the value axis at the bottom.
    chart.set_y_axis({"reverse": True, "crossing": "max", "num_font": AXIS_FONT,
                      "major_tick_mark": "none"})
    chart.set_x_axis({"major_gridlines": GRIDLINES, "num_font": AXIS_FONT, "num_format": "0",
                      "min": 0, "crossing": "min"})
    return _finish(chart, title)


def money_columns(book: Book, block: Block, category: Any, series: Sequence[Any],
                  title: str) -> Any:
    """Clustered columns of £ figures per category (savings by directorate), axis in £m."""
    chart = book.workbook.add_chart({"type": "column"})
    for header in series:
        name = _series_name(header)
        chart.add_series({
            "name": name,
            "categories": block.ref(category),
            "values": block.ref(header),
            "fill": {"color": COLOURS.get(str(header), "#5B9BD5")},
            "gap": 80,
        })
    chart.set_y_axis({"num_format": MILLIONS, "major_gridlines": GRIDLINES,
                      "num_font": AXIS_FONT, "min": 0})
    chart.set_x_axis({"num_font": AXIS_FONT})
    return _finish(chart, title)


def programme_by_quarter(book: Book, block: Block, series: Sequence[Any], title: str,
                         target: Any | None) -> Any:
    """Columns for the savings figures each quarter and a line for the programme target."""
    chart = book.workbook.add_chart({"type": "column"})
    for header in series:
        chart.add_series({
            "name": _series_name(header),
            "categories": block.ref("Quarter"),
            "values": block.ref(header),
            "fill": {"color": COLOURS.get(str(header), "#5B9BD5")},
            "gap": 80,
            "data_labels": {"value": True, "num_format": MILLIONS, "position": "inside_end",
                            "font": {"size": 8, "bold": True, "color": "#FFFFFF"}},
        })
    if target is not None:
        line = book.workbook.add_chart({"type": "line"})
        line.add_series({
            "name": _series_name(target),
            "categories": block.ref("Quarter"),
            "values": block.ref(target),
            "line": {"color": COLOURS["Programme target (£)"], "width": 2.25, "dash_type": "dash"},
            "marker": {"type": "diamond", "size": 7,
                       "fill": {"color": COLOURS["Programme target (£)"]},
                       "border": {"color": COLOURS["Programme target (£)"]}},
        })
        chart.combine(line)
    chart.set_y_axis({"num_format": MILLIONS, "major_gridlines": GRIDLINES,
                      "num_font": AXIS_FONT, "min": 0})
    chart.set_x_axis({"num_font": AXIS_FONT})
    return _finish(chart, title)


def rag_columns(book: Book, block: Block, series: Sequence[Any], title: str) -> Any:
    """Stacked columns of Green, Amber and Red counts per quarter."""
    chart = book.workbook.add_chart({"type": "column", "subtype": "stacked"})
    for header in series:
        name = _series_name(header)
        chart.add_series({
            "name": name,
            "categories": block.ref("Quarter"),
            "values": block.ref(header),
            "fill": {"color": COLOURS.get(name, "#5B9BD5")},
            "border": {"color": "#FFFFFF"},
            "gap": 60,
            "data_labels": {"value": True, "num_format": "0;;;",
                            "font": {"size": 9, "bold": True, "color": "#FFFFFF"}},
        })
    chart.set_y_axis({"major_gridlines": GRIDLINES, "num_font": AXIS_FONT, "num_format": "0",
                      "min": 0})
    chart.set_x_axis({"num_font": AXIS_FONT})
    return _finish(chart, title)
