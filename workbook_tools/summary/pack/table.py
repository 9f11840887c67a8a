"""Tables for the Cabinet pack: a DataFrame from summary/tables.py as captioned rows of shown
text, each column kept to the kind the summary workbook gives it (summary/write.py's kind_for),
so a figure reads the same on the page as in the workbook."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pandas as pd

from workbook_tools.files.cells import pounds
from workbook_tools.summary.write import COLOURED, kind_for

_ids = itertools.count(1)
NUMERIC = ("money", "integer", "number", "points", "share")


@dataclass
class Cell:
    text: str
    kind: str = "text"
    rag: str = ""  # Green, Amber or Red: the colour the word is shown in (never alone)


@dataclass
class Table:
    """A captioned table: header groups (for grouped columns), headers, rows of cells. The first
    column heads its row (th scope=row) when `row_headers`."""

    caption: str
    headers: list[str]
    kinds: list[str]
    rows: list[list[Cell]]
    groups: list[tuple[str, int]] = field(default_factory=list)
    total: list[Cell] | None = None
    empty: str = ""
    row_headers: bool = True
    id: str = field(default_factory=lambda: f"t{next(_ids)}")
    kind: ClassVar[str] = "table"

    @property
    def numeric(self) -> list[bool]:
        return [k in NUMERIC for k in self.kinds]


def shown(value: Any, kind: str, unit: str = "") -> str:
    """A value as the page shows it: £1,234, 1,234, 45%, 12.5, 31 Mar 2026; '' for blank."""
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return f"{value:%d %b %Y}".lstrip("0")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if kind == "number" and unit in ("%", "£"):
        kind = "money" if unit == "£" else "points"
    if kind == "money":
        return pounds(value)
    if kind == "share":
        return f"{value:.0%}"
    if kind == "points":
        return f"{value:,.0f}%" if float(value).is_integer() else f"{value:,.1f}%"
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")
    return f"{text} {unit}".strip() if unit and kind == "number" else text


def plain(value: Any) -> Any:
    """Python values from pandas/numpy ones; blanks (None, NaN, NaT) as None."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def cell(value: Any, kind: str, unit: str = "") -> Cell:
    text = shown(value, kind, unit)
    return Cell(text, kind, COLOURED.get(text, "") if kind == "rag" else "")


def label(header: Any) -> str:
    if isinstance(header, tuple):
        return " ".join(str(h) for h in header if h)
    return str(header)


def from_frame(frame: pd.DataFrame, caption: str, *, index: bool = False,
               total: Sequence[Any] | None = None, kinds: dict[str, str] | None = None,
               units: Sequence[str] | None = None, empty: str = "",
               drop: Sequence[str] = ()) -> Table:
    """A table from a summary DataFrame. Grouped (two-level) columns keep their group as a
    heading over the columns; `kinds` overrides a column's kind by its header; `units` gives
    each row's unit for 'number' columns (a measure's %, £ or count)."""
    frame = frame.drop(columns=[c for c in frame.columns if label(c) in drop])
    if index:
        frame = frame.reset_index()
    kinds = kinds or {}
    headers: list[str] = []
    column_kinds: list[str] = []
    grouped: list[str] = []
    for column in frame.columns:
        group, name = (column if isinstance(column, tuple) else ("", column))
        name = str(name) or str(group)
        group = str(group) if str(name) != str(group) else ""
        headers.append(name)
        grouped.append(group)
        column_kinds.append(kinds.get(label(column)) or kinds.get(name)
                            or kind_for(name, frame[column]))
    groups = [(g, len(list(run))) for g, run in itertools.groupby(grouped)] \
        if any(grouped) else []
    rows = []
    for i, values in enumerate(frame.itertuples(index=False)):
        unit = units[i] if units is not None else ""
        rows.append([cell(v, k, unit) for v, k in zip(values, column_kinds, strict=True)])
    total_cells = [cell(v, k) for v, k in zip(total, column_kinds, strict=True)] \
        if total is not None and len(frame) else None
    return Table(caption, headers, column_kinds, rows, groups, total_cells, empty)
