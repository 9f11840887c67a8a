"""The number formats of a return's cells where they change what a value means: a % measure's
actual typed as 100% is stored as 1 with a percentage format, and means 100, not 1."""

from __future__ import annotations

import re
from typing import Any

from workbook_tools.files.guard import SafeWorkbook
from workbook_tools.files.sheetscan import SheetScan
from workbook_tools.returns.layout import SheetLayout

_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
_PERCENT_BUILT_IN = (9, 10)  # Excel's own 0% and 0.00%


def is_percent_format(code: str | int) -> bool:
    """A number format that always shows the value times 100 with a % sign, as Excel gives a
    cell when a figure is typed with one (what CELL("format", ...) calls P0, P1 ...).

    The return's own format for a % measure's actual ('[<1]0%;General"%"': a fraction as a
    percentage, anything else as typed) is not one: its second part has no real %.
    """
    if isinstance(code, int):
        return code in _PERCENT_BUILT_IN
    sections = _QUOTED.sub("", code).split(";")
    return all("%" in section for section in sections if section.strip())


def shows_percent(code: str | int) -> bool:
    """A number format that shows a fraction such as 0.9 as a percentage (90%)."""
    if isinstance(code, int):
        return code in _PERCENT_BUILT_IN
    return "%" in _QUOTED.sub("", code).split(";")[0]


def percent_rows(workbook: SafeWorkbook, name: str, spec: SheetLayout, key: str,
                 scan: SheetScan) -> dict[int, bool]:
    """The 1-based rows whose cell in column `key` shows a fraction as a percentage: True
    when its format is a percentage format (`is_percent_format`), False when only a fraction
    is shown so (the return's own format for a % measure)."""
    col = spec.index(key)

    def look(column: int, style: Any) -> Any:
        code = style.num_format
        return is_percent_format(code) if shows_percent(code) else None

    return workbook.column_looks(name, col, look, len(spec.columns), scan)
