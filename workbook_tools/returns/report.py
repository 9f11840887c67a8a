"""The validation report (`outputs/validation-<QUARTER>.xlsx`): one row per return and one per
finding, as Excel tables with filters, for the performance team to sort and filter."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from workbook_tools.errors import ConfigurationError
from workbook_tools.files.cells import column_letter
from workbook_tools.files.wrap import wrapped_lines
from workbook_tools.files.xlsx import FIXED_DATE, NAVY, RAG_COLOURS, new_workbook
from workbook_tools.returns.findings import (
    ACCEPTED,
    ACCEPTED_WITH_WARNINGS,
    NOT_A_RETURN,
    REJECTED,
    SUPERSEDED,
    Severity,
    ValidationRun,
)
from workbook_tools.words import count

RETURN_HEADERS = ("File", "Directorate", "Quarter", "Status", "Errors", "Warnings", "Received",
                  "SHA-256", "Superseded by")
FINDING_HEADERS = ("Severity", "File", "Directorate", "Sheet", "Cell", "Rule", "Message")

_STATUS_COLOURS = {ACCEPTED: "Green", ACCEPTED_WITH_WARNINGS: "Amber", REJECTED: "Red",
                   NOT_A_RETURN: "Red"}
_SEVERITY_COLOURS = {Severity.ERROR.value: "Red", Severity.WARNING.value: "Amber"}
_SUPERSEDED_FONT = "#7F7F7F"
MESSAGE_WIDTH = 90
MAX_WIDTH = 60
LINE_HEIGHT = 15
CHARS_PER_WIDTH = 1.1  # text characters per unit of column width (units are digit widths)
HEADER_ROW = 3  # each sheet's table header (0-based): below the title, what was checked, a gap


def write_validation_report(run: ValidationRun, path: Path, council: str = "") -> Path:
    """Write the report: a `Returns` sheet and a `Findings` sheet, each headed by the council
    (`council`, else the returns' own) and the quarter, and what was checked.

    The same run gives the same bytes (fixed document dates, rows in the run's order).

    Raises:
        ConfigurationError: the file cannot be written (open in Excel, or a folder not writable).
    """
    import xlsxwriter.exceptions

    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigurationError(f"{path.parent}: cannot make the folder ({exc.strerror}).") \
            from None
    workbook = new_workbook(path)
    formats = _formats(workbook)
    title = heading(run, council)
    files = len(run.results)
    checked = (f"{count(files, 'file')} checked"
               + (f": {run.verdicts}" if run.verdicts else "") + "; "
               + count(len(run.findings), "finding") + ".")
    for sheet in (_returns_sheet(workbook, formats, run),
                  _findings_sheet(workbook, formats, run)):
        sheet.write_string(0, 0, title, formats["title"])
        sheet.write_string(1, 0, checked, formats["text"])
        sheet.set_row(0, 22)
    workbook.set_properties({"created": FIXED_DATE, "author": "workbook-tools", "title": title})
    try:
        workbook.close()
    except (xlsxwriter.exceptions.FileCreateError, OSError) as exc:
        raise ConfigurationError(
            f"{path}: cannot be written ({exc}). Close it if it is open in Excel, then try "
            "again.") from None
    return path


def report_name(label: str, run: ValidationRun, files: Sequence[Path], whole: bool) -> str:
    """`validation-2025-26-Q1.xlsx` for a quarter's whole folder of returns; for some of them,
    named after them (`validation-2025-26-Q1-CS.xlsx`), so it sits beside the quarter's report
    instead of replacing it."""
    stem = f"validation-{label}" if label else "validation"
    if whole:
        return f"{stem}.xlsx"
    codes = sorted({r.directorate for r in run.results if r.directorate})
    if codes and len(codes) <= 4:
        part = "-".join(codes)
    else:
        part = Path(files[0]).stem if len(files) == 1 else "selected"
    return f"{stem}-{part}.xlsx"


def heading(run: ValidationRun, council: str = "") -> str:
    """'Validation report: Derbyshire County Council, 2025-26-Q2'."""
    quarters = sorted({r.quarter for r in run.results if r.quarter})
    quarter = str(run.quarter) if run.quarter else " and ".join(quarters)
    about = ", ".join(part for part in (council or run.council, quarter) if part)
    return f"Validation report: {about}" if about else "Validation report"



def _formats(workbook: Any) -> dict[str, Any]:
    base = {"valign": "top", "font_size": 10}
    return {
        "title": workbook.add_format({"bold": True, "font_size": 14, "font_color": NAVY}),
        "header": workbook.add_format({**base, "bold": True, "font_color": "#FFFFFF",
                                       "bg_color": NAVY, "text_wrap": True}),
        "text": workbook.add_format(base),
        "wrap": workbook.add_format({**base, "text_wrap": True}),
        "count": workbook.add_format({**base, "align": "center"}),
        "received": workbook.add_format({**base, "num_format": "dd/mm/yyyy hh:mm",
                                         "align": "left"}),
        "hash": workbook.add_format({**base, "font_name": "Consolas", "font_size": 9}),
    }


def _returns_sheet(workbook: Any, formats: dict[str, Any], run: ValidationRun) -> Any:
    sheet = workbook.add_worksheet("Returns")
    rows = []
    for result in run.results:
        rows.append((
            result.path.name, result.directorate or "", result.quarter or "", result.status,
            len(result.errors), len(result.warnings), result.received, result.sha256,
            result.superseded_by.name if result.superseded_by else "",
        ))
    cell_formats = [formats["text"], formats["text"], formats["text"], formats["text"],
                    formats["count"], formats["count"], formats["received"], formats["hash"],
                    formats["text"]]
    for r, values in enumerate(rows, start=HEADER_ROW + 1):
        for c, value in enumerate(values):
            if c == 6:
                sheet.write_datetime(r, c, value, cell_formats[c])
            elif isinstance(value, int):
                sheet.write_number(r, c, value, cell_formats[c])
            else:
                sheet.write_string(r, c, value, cell_formats[c])
    widths = _widths(RETURN_HEADERS, rows, {"Received": 16, "SHA-256": 46})
    _table(sheet, formats, "Returns", RETURN_HEADERS, len(rows), widths)
    last = max(len(rows), 1)
    status_col = RETURN_HEADERS.index("Status")
    for word, rag in _STATUS_COLOURS.items():
        _colour_rows(workbook, sheet, last, len(RETURN_HEADERS) - 1, status_col, word, rag)
    grey = workbook.add_format({"font_color": _SUPERSEDED_FONT})
    sheet.conditional_format(HEADER_ROW + 1, 0, HEADER_ROW + last, len(RETURN_HEADERS) - 1, {
        "type": "formula", "criteria": f'=$D{HEADER_ROW + 2}="{SUPERSEDED}"', "format": grey})
    return sheet


def _findings_sheet(workbook: Any, formats: dict[str, Any], run: ValidationRun) -> Any:
    sheet = workbook.add_worksheet("Findings")
    rows = [(f.severity.value, Path(f.file).name, f.directorate, f.sheet, f.cell, f.code,
             f.message) for f in run.findings]
    message_col = FINDING_HEADERS.index("Message")
    for r, values in enumerate(rows, start=HEADER_ROW + 1):
        for c, value in enumerate(values):
            sheet.write_string(r, c, value, formats["wrap" if c == message_col else "text"])
        lines = _lines(values[message_col], MESSAGE_WIDTH)
        if lines > 1:
            sheet.set_row(r, LINE_HEIGHT * lines)
    widths = _widths(FINDING_HEADERS, rows, {"Message": MESSAGE_WIDTH})
    _table(sheet, formats, "Findings", FINDING_HEADERS, len(rows), widths)
    for word, rag in _SEVERITY_COLOURS.items():
        _colour_rows(workbook, sheet, max(len(rows), 1), len(FINDING_HEADERS) - 1, 0, word, rag)
    return sheet


def _table(sheet: Any, formats: dict[str, Any], name: str, headers: Sequence[str], rows: int,
           widths: list[float]) -> None:
    """An Excel table with filters over the rows (one empty row when there are none), a frozen
    header, columns as wide as their contents, printed landscape on A4."""
    sheet.add_table(HEADER_ROW, 0, HEADER_ROW + max(rows, 1), len(headers) - 1, {
        "name": f"{name}Table", "style": "Table Style Light 1",
        "columns": [{"header": h, "header_format": formats["header"]} for h in headers],
    })
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.set_row(HEADER_ROW, LINE_HEIGHT + 5)
    sheet.freeze_panes(HEADER_ROW + 1, 0)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(HEADER_ROW)


def _colour_rows(workbook: Any, sheet: Any, last: int, last_col: int, col: int, word: str,
                 rag: str) -> None:
    """Colour a whole row by the word in one of its columns (so it survives sorting)."""
    fill, font = RAG_COLOURS[rag]
    fmt = workbook.add_format({"bg_color": fill, "font_color": font})
    letter = column_letter(col)
    sheet.conditional_format(HEADER_ROW + 1, 0, HEADER_ROW + last, last_col, {
        "type": "formula", "criteria": f'=${letter}{HEADER_ROW + 2}="{word}"', "format": fmt})


def _widths(headers: Sequence[str], rows: list[tuple[Any, ...]],
            fixed: dict[str, float]) -> list[float]:
    """Each column as wide as its longest entry (and its header, with room for the filter
    button), within MAX_WIDTH; `fixed` sets some outright."""
    widths = []
    for col, header in enumerate(headers):
        if header in fixed:
            widths.append(fixed[header])
            continue
        longest = max((len(str(row[col])) for row in rows), default=0)
        widths.append(min(max(longest + 2, len(header) + 4, 8), MAX_WIDTH))
    return widths


def _lines(text: str, width: float) -> int:
    """Roughly how many lines wrapped text takes in a column `width` characters wide."""
    return wrapped_lines(text, int(width * CHARS_PER_WIDTH))
