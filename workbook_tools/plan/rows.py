"""Reading the register: its sheets as rows of values, and each sheet's rows with typed cell
readers that record a problem, by cell, for anything they cannot read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from workbook_tools.files.cells import cell_ref, is_blank, to_date, to_number
from workbook_tools.plan.columns import ITEM_SHEETS, REGISTER_SHEETS
from workbook_tools.plan.model import PlanProblem

#: The largest figure a register may hold: 15 digits, all a spreadsheet keeps (a larger one
#: loses its last digits, and sums of two such could overflow every total and formula).
LARGEST = 999_999_999_999_999.0
#: The most characters (UTF-16 code units, as Excel counts them) a cell holds; a text of no
#: more than half as many characters cannot reach it.
LONGEST = 32_767
HALF_CELL = LONGEST // 2


def units(text: str) -> int:
    """A text's length as Excel counts it: UTF-16 code units (an emoji counts twice)."""
    return len(text.encode("utf-16-le")) // 2


def too_long(text: str) -> bool:
    """More than a cell holds."""
    return len(text) > HALF_CELL and units(text) > LONGEST


def norm(text: Any) -> str:
    """A header, sheet or choice as compared: spaces collapsed, capitals ignored."""
    return " ".join(str(text).split()).casefold() if text is not None else ""


#: Each list of choices by its normal form, made once per list.
_OPTIONS: dict[tuple[str, ...], dict[str, str]] = {}


def filled(values: list[Any]) -> bool:
    """Whether a row has anything in it but spaces."""
    for value in values:
        if value.__class__ is str:
            if value and not value.isspace():
                return True
        elif value is not None:
            return True
    return False


class SheetRows:
    """Rows of one register sheet, with a problem list and typed cell readers."""

    def __init__(self, name: str, rows: list[list[Any]], problems: list[PlanProblem]) -> None:
        self.name = name
        self.problems = problems
        self.columns: dict[str, int] = {}
        header = rows[0] if rows else []
        self.body = rows[1:]
        found = {norm(v): i for i, v in enumerate(header) if not is_blank(v)}
        for spec in REGISTER_SHEETS[name]:
            index = found.get(norm(spec.header))
            if index is None:
                if spec.required:
                    self.problem(
                        1, len(header), f"the column '{spec.header}' is missing from row 1"
                    )
            else:
                self.columns[spec.header] = index
        self.numbers: list[int] = []  # each record's Excel row number
        self.rows: list[list[Any]] = []  # each record's values, as wide as the header at least
        width = len(header)
        for offset, values in enumerate(self.body):
            if filled(values):
                self.numbers.append(offset + 2)
                self.rows.append(values if len(values) >= width
                                 else [*values, *[None] * (width - len(values))])

    def problem(self, row: int, col: int, message: str) -> None:
        self.problems.append(PlanProblem(self.name, cell_ref(row, col), message))

    def records(self) -> list[tuple[int, list[Any]]]:
        """(Excel row number, values) for every row that is not blank."""
        return list(zip(self.numbers, self.rows, strict=True))

    def raw(self, values: list[Any], header: str) -> Any:
        index = self.columns.get(header)
        if index is None or index >= len(values):
            return None
        return values[index]

    def text(self, row: int, values: list[Any], header: str, required: bool = True) -> str:
        index = self.columns.get(header)
        value = values[index] if index is not None and index < len(values) else None
        if type(value) is str:  # most cells: no further calls (a register may have 100,000s)
            value = value.strip()
            if value:
                if too_long(value):
                    self.problem(row, self.columns[header], f"'{header}' is "
                                 f"{units(value):,} characters long as Excel counts them (an "
                                 f"emoji counts as two): a cell holds at most {LONGEST:,}, so "
                                 "shorten it")
                return value
        elif value is not None:
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            return str(value).strip()
        if required and index is not None:
            self.problem(row, index, f"'{header}' is empty")
        return ""

    def number(
        self, row: int, values: list[Any], header: str, required: bool = True
    ) -> float | None:
        index = self.columns.get(header)
        value = values[index] if index is not None and index < len(values) else None
        if type(value) is float and -LARGEST <= value <= LARGEST:  # most cells, as read
            return value + 0.0  # (-0.0 is 0: a spreadsheet saves it so)
        if is_blank(value):
            if required and index is not None:
                self.problem(row, index, f"'{header}' is empty")
            return None
        number = to_number(value)
        if number is None:
            self.problem(row, self.columns[header], f"'{header}' must be a number, not '{value}'")
        elif not -LARGEST <= number <= LARGEST:  # (not a number, too: it compares as False)
            self.problem(row, self.columns[header], f"'{header}' is {number:,.6g}: a figure "
                         "needs at most 15 digits (a spreadsheet keeps no more), so type it in "
                         "pounds or units that fit")
            number = None
        return None if number is None else number + 0.0

    def choice(
        self,
        row: int,
        values: list[Any],
        header: str,
        allowed: tuple[str, ...],
        required: bool = True,
    ) -> str | None:
        value = self.text(row, values, header, required)
        if not value:
            return None
        options = _OPTIONS.get(allowed)
        if options is None:
            options = _OPTIONS[allowed] = {norm(o): o for o in reversed(allowed)}
        option = options.get(value.casefold()) or options.get(norm(value))
        if option is not None:
            return option
        self.problem(
            row,
            self.columns[header],
            f"'{value}' is not a valid {header.lower()}: use one of {', '.join(allowed)}",
        )
        return None

    def date(self, row: int, values: list[Any], header: str) -> dt.date | None:
        value = self.raw(values, header)
        if is_blank(value):
            if header in self.columns:
                self.problem(row, self.columns[header], f"'{header}' is empty")
            return None
        parsed = to_date(value)
        if parsed is None:
            self.problem(row, self.columns[header], f"'{header}' must be a date, not '{value}'")
        return parsed

    def unique(self, seen: dict[str, tuple[int, str]], row: int, header: str,
               value: str) -> None:
        """IDs are unique ignoring case and surrounding spaces (Power BI and Excel's lookups
        take S-CS-01 and s-cs-01 for one)."""
        if not value:
            return
        key = value.strip().casefold()
        if key not in seen:
            seen[key] = (row, value)
            return
        first, spelt = seen[key]
        if spelt == value:
            message = f"'{value}' is a duplicate {header} (first used in row {first})"
        else:
            message = (f"'{value}' is a duplicate {header}: it differs from '{spelt}' (row "
                       f"{first}) only by capitals or spaces, and Power BI takes them for one")
        self.problem(row, self.columns[header], message)

    def known(
        self, row: int, header: str, value: str | None, known: Iterable[str], what: str
    ) -> None:
        if value and value not in (known if isinstance(known, set | frozenset) else set(known)):
            article = "an" if what[:1] in "aeiou" else "a"
            self.problem(
                row, self.columns[header], f"'{value}' is not {article} {what} in the register"
            )


def read_register_rows(path: Path, items: bool = True) -> dict[str, list[list[Any]]]:
    """Every sheet of the register as rows of values, starting at A1 (without the item sheets
    when `items` is False)."""
    from workbook_tools.files.guard import SafeWorkbook  # reading is the security boundary

    skip = set() if items else {norm(name) for name in ITEM_SHEETS}
    with SafeWorkbook(Path(path)) as workbook:
        return {name: workbook.read(name)[0] for name in workbook.sheet_names
                if norm(name) not in skip}
