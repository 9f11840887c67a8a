"""How a return looks: its cell formats, number formats that suit each value, and row heights
that show wrapped text (Excel and LibreOffice do not grow a row for text a program wrote)."""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from typing import Any

from workbook_tools.files.wrap import wrapped_lines
from workbook_tools.files.xlsx import DERIVED_FILL, INPUT_FILL, LOCKED_FILL, NAVY
from workbook_tools.returns.layout import Column, Kind, Role, SheetLayout

FONT_SIZE = 10
#: Characters of 10pt text per unit of column width. Units are digit widths of the default
#: 11pt font; proportional 10pt text fits more, and this errs towards a spare line.
CHARS_PER_WIDTH = 1.25
LINE_POINTS = 13.0  # height of one line of 10pt text
BORDER = "#BFBFBF"
GREY_TEXT = "#595959"


def text_lines(text: Any, width: float, font_size: float = FONT_SIZE) -> int:
    """How many lines `text` wraps to in a column `width` units wide."""
    if text is None or text == "":
        return 1
    return wrapped_lines(str(text), _per_line(width, font_size))


def _per_line(width: float, font_size: float = FONT_SIZE) -> int:
    """Characters of text a line in a column `width` units wide."""
    return max(int(width * CHARS_PER_WIDTH * FONT_SIZE / font_size) - 1, 1)


@functools.lru_cache(maxsize=64)
def row_points(lines: int, font_size: float = FONT_SIZE) -> float:
    """The row height, in points, that shows `lines` lines of text (whole pixels: 0.75pt)."""
    return math.ceil((lines * LINE_POINTS * font_size / FONT_SIZE + 4) / 0.75) * 0.75


def fitted_height(cells: Iterable[tuple[Any, float]], least_lines: int = 1) -> float:
    """The height of a row holding (text, column width) cells."""
    lines = max((text_lines(text, width) for text, width in cells), default=1)
    return row_points(max(lines, least_lines))


#: per sheet: the sheet, and (key, characters a line) of the columns whose text wraps
_WRAPPING: dict[str, tuple[SheetLayout, tuple[tuple[str, int], ...]]] = {}


def _wrapping(spec: SheetLayout) -> tuple[tuple[str, int], ...]:
    """The columns of an item's row that hold wrapped text, worked out once per sheet."""
    known = _WRAPPING.get(spec.name)
    if known is None or known[0] is not spec:
        known = _WRAPPING[spec.name] = (spec, tuple(
            (c.key, _per_line(c.width)) for c in spec.columns
            if c.role is not Role.DERIVED and c.kind in (Kind.TEXT, Kind.LONGTEXT, Kind.CHOICE)))
    return known[1]


def item_row_height(spec: SheetLayout, values: dict[str, Any], least_lines: int = 2) -> float:
    """The height of an item's row: enough for its wrapped text, and at least two lines."""
    lines = max(least_lines, 1)
    for key, per_line in _wrapping(spec):
        text = values.get(key)
        if isinstance(text, str) and text:
            lines = max(lines, wrapped_lines(text, per_line))
    return row_points(lines)


def number_format(value: float, unit: str = "") -> str:
    """A format that shows `value` as a person writes it: no '80.' for 80, a unit where known."""
    decimals = "" if float(value).is_integer() else ".0#"
    if unit == "£":
        return f"£#,##0{decimals};[Red]-£#,##0{decimals}"
    if unit == "%":
        return f'0{decimals}"%"'
    return f"#,##0{decimals}"


def actual_format(unit: str, target: float | None) -> str:
    """The format of a measure's Actual cell before anything is typed in it: its unit, as the
    target beside it shows it (72.5%, £3,000,000, 1,200), keeping the typed figure's decimals.

    A percentage typed with its % sign arrives as a fraction (0.12), which the tool reads as
    12%, so it is shown as 12%; other percentages show as typed, with the sign.
    """
    if unit == "%":
        return '[<1]0%;General"%"'
    if unit == "£":
        return number_format(target if target is not None else 0, "£")
    return "[>=1000]#,##0;General"


class Styles:
    """The return's cell formats, made once per workbook."""

    NUMBER_FORMATS = {
        Kind.MONEY: "£#,##0;[Red]-£#,##0",
        Kind.DATE: "dd/mm/yyyy",
        Kind.PERCENT: "0",
        Kind.SCORE: "0",
    }
    FILLS = {Role.INPUT: INPUT_FILL, Role.PREFILLED: LOCKED_FILL, Role.DERIVED: DERIVED_FILL}

    def __init__(self, workbook: Any) -> None:
        self.workbook = workbook
        self._cache: dict[tuple[Any, ...], Any] = {}
        base = {"valign": "top", "border": 1, "border_color": BORDER, "font_size": FONT_SIZE}
        self.base = base
        add = workbook.add_format
        self.title = add({"bold": True, "font_size": 16, "font_color": NAVY})
        self.subtitle = add({"font_size": 11, "font_color": "#404040"})
        self.intro = add({"font_size": 10, "text_wrap": True, "valign": "top",
                          "font_color": "#262626"})
        self.note = add({"italic": True, "font_size": 10, "text_wrap": True, "valign": "top",
                         "font_color": GREY_TEXT})
        self.deadline_line = add({"bold": True, "font_size": 10, "font_color": "#C00000",
                                  "valign": "top"})
        self.header = add({"bold": True, "font_color": "#FFFFFF", "bg_color": NAVY,
                           "text_wrap": True, "valign": "vcenter", "border": 1,
                           "border_color": BORDER, "font_size": FONT_SIZE})
        self.header_input = add({"bold": True, "font_color": "#000000", "bg_color": "#FFD966",
                                 "text_wrap": True, "valign": "vcenter", "border": 1,
                                 "border_color": BORDER, "font_size": FONT_SIZE})
        self.label = add({"bold": True, "valign": "top", "font_size": 10})
        self.section = add({"bold": True, "font_size": 12, "font_color": NAVY, "bottom": 2,
                            "bottom_color": NAVY})
        self.text = add({"text_wrap": True, "valign": "top", "font_size": 10})
        self.small = add({"text_wrap": True, "valign": "top", "font_size": 9,
                          "font_color": GREY_TEXT})
        self.link = add({"text_wrap": True, "valign": "top", "font_size": 10,
                         "font_color": "#0563C1", "underline": 1})
        locked_value = {**base, "text_wrap": True, "bg_color": LOCKED_FILL}
        self.value = add(locked_value)
        self.value_date = add({**locked_value, "align": "left", "num_format": "dddd d mmmm yyyy"})
        self.deadline = add({**locked_value, "align": "left", "num_format": "dddd d mmmm yyyy",
                             "bold": True, "font_size": 12, "font_color": "#C00000"})
        self.big = add({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter",
                        "border": 1})
        self.count = add({"font_size": 11, "align": "center", "bold": True, "border": 1,
                          "border_color": BORDER, "bg_color": DERIVED_FILL})
        self.key = {role: add({"bg_color": fill, "border": 1, "border_color": BORDER})
                    for role, fill in self.FILLS.items()}
        self.input_text = add({**base, "bg_color": INPUT_FILL, "locked": False,
                               "text_wrap": True})
        self.input_date = add({**base, "bg_color": INPUT_FILL, "locked": False,
                               "num_format": "dd/mm/yyyy", "align": "left"})
        self.not_due = add({**base, "bg_color": LOCKED_FILL, "italic": True,
                            "font_color": "#7F7F7F", "text_wrap": True})

    def cell(self, column: Column, num_format: str | None = None) -> Any:
        """The format of a data cell in `column` (with another number format if given)."""
        muted = column.role is Role.PREFILLED and column.key == "objective"  # context only
        key = (column.role.value, column.kind, num_format, muted)
        if key not in self._cache:
            props: dict[str, Any] = {
                **self.base,
                "bg_color": self.FILLS[column.role],
                "locked": column.role is not Role.INPUT,
            }
            if column.kind in (Kind.TEXT, Kind.LONGTEXT, Kind.CHOICE):
                props["text_wrap"] = True
            if num_format or column.kind in self.NUMBER_FORMATS:
                props["num_format"] = num_format or self.NUMBER_FORMATS[column.kind]
            if column.role is Role.DERIVED and column.kind is Kind.TEXT or column.kind is Kind.DATE:
                props["align"] = "center"
            if muted:
                props["font_color"] = GREY_TEXT
            self._cache[key] = self.workbook.add_format(props)
        return self._cache[key]

    def fill(self, colour: str, **extra: Any) -> Any:
        """A conditional format's fill (and font colour)."""
        key = ("fill", colour, tuple(sorted(extra.items())))
        if key not in self._cache:
            self._cache[key] = self.workbook.add_format({"bg_color": colour, **extra})
        return self._cache[key]
