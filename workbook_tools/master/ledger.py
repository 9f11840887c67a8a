"""The ledger export finance gives `consolidate --ledger`: a CSV with the columns `Saving ID`,
`Quarter` and `Amount` (other columns are ignored). Quarters may be written in any accepted form,
amounts with a £ sign, thousands commas, or in brackets for a negative. Several lines for the same
saving and quarter add up. Anything wrong is an error naming the line, and nothing is written."""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbook_tools.errors import ConfigurationError, UsageError
from workbook_tools.files.cells import is_blank, to_number
from workbook_tools.files.package import sniff
from workbook_tools.files.visible import visible
from workbook_tools.master import columns as mc
from workbook_tools.master.sheetrow import Copied, column_of
from workbook_tools.quarters import ACCEPTED_FORMS, parse_quarter

COLUMNS = ("Saving ID", "Quarter", "Amount")
MAX_AMOUNT = 1e15  # as for a return's figures
MAX_BYTES = 64 * 1024 * 1024
_BRACKETED = re.compile(r"^\(\s*(.*?)\s*\)$")


class LedgerError(ConfigurationError):
    """The ledger CSV cannot be used; the message names the file and line."""


@dataclass
class Ledger:
    path: Path
    sha256: str
    amounts: dict[tuple[str, str], float] = field(default_factory=dict)  # (Quarter, ID) -> £
    lines: int = 0  # lines with an amount

    @property
    def quarters(self) -> set[str]:
        """The quarters the ledger covers (canonical, such as '2025-26-Q1')."""
        return {quarter for quarter, _ in self.amounts}


def read_ledger(path: Path, known: Collection[str] | None = None) -> Ledger:
    """Read a ledger CSV.

    Args:
        known: the Saving IDs a line may name (the register's and the master's); None allows any.

    Raises:
        LedgerError: a file that is not a CSV, a missing column, an unknown Saving ID, a bad
            quarter or amount; the message names the line.
    """
    path = Path(path)
    data = _read_bytes(path)
    text = _decode(path, data)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    while header is not None and all(is_blank(cell) for cell in header):
        header = next(reader, None)
    if header is None:
        raise LedgerError(f"{path}: is empty; the ledger needs a header line with the columns "
                          f"{', '.join(COLUMNS)}. Nothing was written.")
    names = {cell.strip().casefold(): i for i, cell in reversed(list(enumerate(header)))}
    where: dict[str, int] = {}
    for column in COLUMNS:
        if column.casefold() not in names:
            raise LedgerError(
                f"{path}, line {reader.line_num}: there is no '{column}' column; the ledger "
                f"needs the columns {', '.join(COLUMNS)}. Nothing was written.")
        where[column] = names[column.casefold()]
    ledger = Ledger(path, hashlib.sha256(data).hexdigest())
    # each known ID by its folded form (the first given of those alike: the register's first)
    ids: dict[str, str] = {}
    for given in known or ():
        ids.setdefault(given.strip().casefold(), given.strip())
    totals: dict[tuple[str, str], float] = {}
    for cells in reader:
        if all(is_blank(cell) for cell in cells):
            continue
        line = reader.line_num

        def cell(column: str, cells: list[str] = cells) -> str:
            index = where[column]
            return cells[index].strip() if index < len(cells) else ""

        saving, quarter_text, amount_text = cell("Saving ID"), cell("Quarter"), cell("Amount")
        if not saving:
            raise LedgerError(f"{path}, line {line}: has no Saving ID. Nothing was written.")
        if known is not None:  # IDs are the same whatever their case (SPEC): the register's
            found = ids.get(saving.casefold())
            if found is None:
                raise LedgerError(f"{path}, line {line}: '{saving}' is not a Saving ID in the "
                                  f"register or the master. Nothing was written.")
            saving = found
        try:
            quarter = str(parse_quarter(quarter_text))
        except UsageError:
            raise LedgerError(f"{path}, line {line}: '{quarter_text}' is not a quarter; use one "
                              f"of {ACCEPTED_FORMS}. Nothing was written.") from None
        if not amount_text:
            raise LedgerError(f"{path}, line {line}: has no Amount. Nothing was written.")
        amount = _amount(amount_text)
        if amount is not None and not (math.isfinite(amount) and abs(amount) <= MAX_AMOUNT):
            raise LedgerError(f"{path}, line {line}: '{visible(amount_text)}' is not a finite "
                              "amount within 1e15; correct the ledger line. Nothing was "
                              "written.")
        if amount is None:
            raise LedgerError(f"{path}, line {line}: '{amount_text}' is not an amount of money; "
                              f"write it as 1250.50, £1,250.50 or (1,250.50) for a negative. "
                              f"Nothing was written.")
        totals[(quarter, saving)] = totals.get((quarter, saving), 0.0) + amount
        ledger.lines += 1
    # to the penny; -0.001 is 0, not -0 (shown as -£0)
    ledger.amounts = {key: round(value, 2) + 0.0 for key, value in totals.items()}
    return ledger


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise LedgerError(f"{path}: is {size // (1024 * 1024)} MB, too large for a ledger "
                              f"export. Nothing was written.")
        kind = sniff(path)
        data = path.read_bytes()
    except OSError as exc:
        raise LedgerError(f"{path}: cannot be read ({exc.strerror or exc}). "
                          f"Nothing was written.") from None
    if kind == "zip" or kind == "ole":
        raise LedgerError(f"{path}: is a workbook, not a CSV file; save the ledger as CSV "
                          f"(comma delimited) and run again. Nothing was written.")
    if kind == "other":
        raise LedgerError(f"{path}: is not a CSV text file. Nothing was written.")
    return data


def _decode(path: Path, data: bytes) -> str:
    """UTF-8 (with or without Excel's byte-order mark), else Windows' own encoding."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            raise LedgerError(f"{path}: is not a CSV text file. Nothing was written.") from None


def _amount(text: str) -> float | None:
    bracketed = _BRACKETED.match(text)
    if bracketed:
        value = to_number(bracketed.group(1))
        return -value if value is not None else None
    if "%" in text:
        return None
    return to_number(text)


def number(value: Any) -> float | None:
    """A cell's number as Excel's ISNUMBER sees it (text that looks like a number is not one)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


#: Each ledger variance, and the figure the ledger is compared with in it.
VARIANCES = ((mc.LEDGER_VARIANCE, "Delivered to date (£)"),
             (mc.LEDGER_VARIANCE_TO_FINANCE, "Finance confirmed (£)"))


def variance(ledger: float | None, other: Any) -> float | None:
    """The ledger's figure (a number or None) less another cell's, as the variance's formula
    works it out: None unless both are numbers."""
    found = number(other)
    return None if ledger is None or found is None else ledger - found


def ledger_variances(row: dict[str, Any]) -> None:
    """Ledger - Delivered to date, and Ledger - Finance confirmed (the cells are formulas, whose
    saved values a program that does not calculate drops; they are worked out again here)."""
    ledger = number(row.get(mc.LEDGER))
    for header, other in VARIANCES:
        row[header] = variance(ledger, row.get(other))


_BLANK = (None, None, None)


def ledger_variances_of(rows: Any) -> None:
    """ledger_variances of each row with a ledger figure or a variance to clear; the others'
    (most rows) are None already. Rows copied as bytes (a sheetrow.Copied's) from their columns."""
    if rows.__class__ is Copied:
        head = rows.with_tail([])
        ledger = list(map(number, column_of(head, mc.LEDGER)))
        figures = [at for at, figure in enumerate(ledger) if figure is not None]
        for header, other in VARIANCES:
            column: list[float | None] = [None] * head.count  # (no ledger figure: no variance)
            if figures:
                others = column_of(head, other)
                for at in figures:
                    column[at] = variance(ledger[at], others[at])
            head.put_column(header, column)
        rows = rows.tail
    found = zip(column_of(rows, mc.LEDGER), column_of(rows, mc.LEDGER_VARIANCE),
                column_of(rows, mc.LEDGER_VARIANCE_TO_FINANCE), strict=True)
    for row, cells in zip(rows, found, strict=True):
        if cells != _BLANK:
            ledger_variances(row)
