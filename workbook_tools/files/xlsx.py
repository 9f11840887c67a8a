"""Shared xlsxwriter set-up: deterministic output and the house formats."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from workbook_tools.files.beside import rewrite_members

#: Written into every workbook's document properties so output is byte-stable run to run.
FIXED_DATE = dt.datetime(2025, 4, 1)

# House colours
NAVY = "#1F4E78"
INPUT_FILL = "#FFF2CC"  # input cells: pale yellow
LOCKED_FILL = "#F2F2F2"  # pre-filled: light grey
DERIVED_FILL = "#DDEBF7"  # worked out by formula: pale blue
RAG_COLOURS = {
    "Green": ("#C6EFCE", "#006100"),
    "Amber": ("#FFEB9C", "#9C5700"),
    "Red": ("#FFC7CE", "#9C0006"),
}


#: Worksheet functions xlsxwriter writes as they are (it adds a prefix only to the newer
#: dynamic-array and "future" functions). The formulas the tool writes use only these.
CLASSIC_FUNCTIONS = frozenset({
    "ABS", "AND", "AVERAGE", "CELL", "CHAR", "COUNT", "COUNTA", "COUNTBLANK", "COUNTIF",
    "COUNTIFS", "DATE", "EXACT", "IF", "IFERROR", "INDEX", "INT", "ISBLANK", "ISERROR", "ISNUMBER",
    "ISTEXT", "LEFT", "LEN", "LOWER", "MATCH", "MAX", "MIN", "NOT", "OR", "RIGHT", "ROUND",
    "SUBSTITUTE", "SUM", "SUMIF", "SUMIFS", "SUMPRODUCT", "TEXT", "TODAY", "TRIM", "UPPER",
    "VALUE",
})
_FUNCTION = re.compile(r"([A-Za-z_][\w.]*)\(")
_NO_DIGITS = str.maketrans("", "", "0123456789")


class FastFormulaWorksheet(Worksheet):  # type: ignore[misc]
    """A worksheet that writes a formula of classic functions without xlsxwriter's 60 or so
    regular-expression rewrites per formula (for dynamic-array and future functions, which
    leave such a formula unchanged). A return has about 3,000 formulas; the rewrites were half
    of generate's time. Any other formula goes through xlsxwriter's own preparation."""

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        # the rewrites only prefix newer functions, so a formula of classic ones is left as it
        # is even when future functions are expanded (conditional formats, data validations)
        if self._classic(formula):
            formula = formula.removeprefix("{").removeprefix("=").removesuffix("}")
            return formula
        return str(super()._prepare_formula(formula, expand_future_functions))

    _shapes: dict[str, bool] = {}  # a formula without its digits: whether all are classic

    def _classic(self, formula: str) -> bool:
        """Whether every function in `formula` is classic, known by its shape: a return's
        formulas differ row to row only in their row numbers. Safe because no classic name has
        a digit and no newer one loses its digits into a classic name (T.DIST.2T, T.INV.2T
        are the only newer ones with digits)."""
        shape = formula.translate(_NO_DIGITS)
        known = self._shapes.get(shape)
        if known is None:
            if len(self._shapes) > 10_000:
                self._shapes.clear()
            known = self._shapes[shape] = set(_FUNCTION.findall(formula)) <= CLASSIC_FUNCTIONS
        return known


def new_workbook(path: Path | str, constant_memory: bool = False) -> Any:
    """An xlsxwriter workbook with fixed properties (so the bytes only change with the content)."""
    workbook = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": constant_memory,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    workbook.set_properties({"created": FIXED_DATE, "author": "workbook-tools"})
    workbook.worksheet_class = FastFormulaWorksheet
    return workbook


def add_rag_formatting(
    workbook: Any, sheet: Any, first_row: int, col: int, last_row: int, last_col: int | None = None
) -> None:
    """Colour Green/Amber/Red text cells in a range (0-based rows and columns)."""
    for word, (fill, font) in RAG_COLOURS.items():
        fmt = workbook.add_format({"bg_color": fill, "font_color": font})
        sheet.conditional_format(
            first_row,
            col,
            last_row,
            col if last_col is None else last_col,
            {"type": "cell", "criteria": "==", "value": f'"{word}"', "format": fmt},
        )


def stabilise(path: Path | str) -> None:
    """Make a workbook saved by openpyxl byte-stable: fixed zip entry times and document dates.

    openpyxl stamps the save time into docProps/core.xml and into each zip entry; the same
    content should give the same bytes, so both are replaced by FIXED_DATE.
    """
    import zipfile

    stamp = FIXED_DATE.strftime("%Y-%m-%dT%H:%M:%SZ")

    def fix(info: zipfile.ZipInfo, data: bytes) -> tuple[zipfile.ZipInfo, bytes]:
        if info.filename == "docProps/core.xml":
            data = re.sub(
                rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)",
                rb"\g<1>" + stamp.encode() + rb"\2",
                data,
            )
        fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_DATE.timetuple()[:6])
        fixed.compress_type = zipfile.ZIP_DEFLATED
        fixed.external_attr = info.external_attr
        return fixed, data

    rewrite_members(Path(path), fix)


def close_workbook(workbook: Any) -> None:
    """Close (save) an xlsxwriter workbook. A file that cannot be created raises the OSError
    behind it, which xlsxwriter wraps in its FileCreateError, so callers report it as any other
    file that cannot be written."""
    from xlsxwriter.exceptions import FileCreateError

    try:
        workbook.close()
    except FileCreateError as exc:
        cause = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else exc.__context__
        raise (cause if isinstance(cause, OSError) else OSError(str(exc))) from None
