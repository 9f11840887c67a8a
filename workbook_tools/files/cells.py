"""Small helpers for cell references and for reading values that people typed."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

EXCEL_EPOCH = dt.date(1899, 12, 30)


def column_letter(col: int) -> str:
    """0-based column index to letters: 0 -> A, 27 -> AB."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_ref(row: int, col: int) -> str:
    """1-based row, 0-based column to an A1 reference."""
    return f"{column_letter(col)}{row}"


def pounds(value: float) -> str:
    """An amount as people write it: £3,000,000, and -£363,000 below zero (never £-363,000)."""
    return f"-£{-value:,.0f}" if round(value) < 0 else f"£{value:,.0f}"


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


_NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")


def to_number(value: Any) -> float | None:
    """A number from a cell: numbers as they are, text such as '£1,200', '12%' or ' 3.5 ' parsed.

    A value typed as '12%' means 12 (percentage points; see rules.percent_points).
    Returns None for anything else (booleans, dates, words).
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("£", "").replace("%", "").strip()
        if _NUMBER.match(text):
            return float(text)
    return None


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y")


def to_date(value: Any) -> dt.date | None:
    """A date from a cell: a date, a datetime, an Excel serial number, or UK-style text."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if 1 <= value < 2958466:  # Excel's date range
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        return None
    if isinstance(value, str):
        text = value.strip()
        if text[:10] and re.match(r"^\d{4}-\d{2}-\d{2}", text):
            text = text[:10]
        for fmt in _DATE_FORMATS:
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
    return None


def plain_text(value: Any) -> str:
    """A cell value as the text a person sees (whole numbers without '.0')."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    return str(value).strip()
