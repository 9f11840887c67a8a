"""Feedback for directorates (SPEC section 7): each return comes back with every problem cell
highlighted and carrying a note that says what is wrong, and a `Problems` sheet, first, that
lists them with a link to each cell.

The feedback file is the directorate's own file with marks added (openpyxl), so it is still a
valid return: the same `_meta`, sheets, protection, drop-downs and validations. They correct it
and send it back; validation ignores the extra `Problems` sheet, and feedback on a file that
already carries feedback replaces the old marks rather than adding to them.

The highlights are conditional formats, not cell styles, so the cells' own formatting (yellow
inputs, grey locked cells, number formats) is kept underneath and the marks can be taken off
again exactly.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from workbook_tools.errors import ConfigurationError, UnreadableFileError, about_file
from workbook_tools.files import snapshot
from workbook_tools.files.guard import load_for_editing
from workbook_tools.files.package import DEFAULT_LIMITS
from workbook_tools.files.visible import visible
from workbook_tools.files.xlsx import NAVY, RAG_COLOURS, stabilise
from workbook_tools.returns import layout
from workbook_tools.returns.findings import (
    SUPERSEDED,
    Finding,
    ReturnResult,
    Severity,
    ValidationRun,
)
from workbook_tools.returns.layout import HEADER_ROW, Sheet
from workbook_tools.words import count
from workbook_tools.workspace import make_folder

PROBLEMS_SHEET = "Problems"
AUTHOR = "workbook-tools"
#: Each note starts with this line (LibreOffice does not keep a note's author).
NOTE_HEADING = "Found by the return check:"
FONT_NAME = "Calibri"  # the font the return is written in (xlsxwriter's default)
FONT_SIZE = 10
#: Every highlight's formula carries this text, so the highlights can be found and removed.
MARKER = "workbook-tools feedback"
PROBLEM_HEADERS = ("No.", "Severity", "Go to", "Item", "What is wrong", "Rule")
PROBLEM_WIDTHS = (5, 10, 16, 14, 90, 20)
FIRST_PROBLEM_ROW = 6  # 1-based row of the first problem; the header is the row above

_STYLES = {  # severity -> (fill, font, border)
    Severity.ERROR: (*RAG_COLOURS["Red"], "#C00000"),
    Severity.WARNING: (*RAG_COLOURS["Amber"], "#BF8F00"),
}


def feedback_filename(code: str, quarter: str) -> str:
    """`<CODE>_<QUARTER>_feedback.xlsx` (SPEC section 3)."""
    return f"{code}_{quarter}_feedback.xlsx"


def write_feedback(run: ValidationRun, folder: Path,
                   not_written: list[tuple[Path, str]] | None = None) -> list[Path]:
    """Write a feedback file for each return with findings that could be read as a return.

    Superseded files and copies get none (the return that is used does). When every file a
    directorate sent was rejected, the latest one received gets the feedback. A return now
    accepted with nothing to report has any earlier feedback file of its own removed.

    Args:
        not_written: gets (file, reason) for each return that could not be marked up (one
            the reading guard refuses to open for editing); the others are still written.

    Returns:
        The files written, by directorate code.

    Raises:
        ConfigurationError: the folder cannot be written, or a return changed after it was
            checked.
    """
    folder = make_folder(folder)
    chosen = returns_for_feedback(run.results)
    paths = []
    for result in chosen:
        assert result.directorate and result.quarter
        target = folder / feedback_filename(result.directorate, result.quarter)
        try:
            write_feedback_file(result, target)
        except UnreadableFileError as exc:
            if not_written is None:
                raise
            not_written.append((result.path, exc.reason))
            continue
        paths.append(target)
    for result in run.results:  # an earlier run's feedback must not be sent by mistake
        if result.accepted and not result.findings and result.directorate and result.quarter:
            stale = folder / feedback_filename(result.directorate, result.quarter)
            if stale not in paths:
                stale.unlink(missing_ok=True)
    return paths


def returns_for_feedback(results: Iterable[ReturnResult]) -> list[ReturnResult]:
    """The returns that get feedback: read as a return, with findings, not superseded (unless
    it has errors and came after the return used: the directorate must be told what to fix);
    one per directorate and quarter (the latest received)."""
    results = list(results)
    received = {r.path: r.received for r in results}
    chosen: dict[tuple[str, str], ReturnResult] = {}
    for result in results:
        superseded = result.status == SUPERSEDED and not (
            result.errors and result.superseded_by is not None
            and result.received > received.get(result.superseded_by, result.received))
        if (result.data is None or not result.findings or superseded
                or not result.directorate or not result.quarter):
            continue
        key = (result.directorate, result.quarter)
        other = chosen.get(key)
        if other is None or (result.received, result.path.name) > (other.received,
                                                                  other.path.name):
            chosen[key] = result
    return [chosen[key] for key in sorted(chosen)]


@about_file("target")
def write_feedback_file(result: ReturnResult, target: Path) -> Path:
    """The return `result` was made from, marked up with its findings, saved as `target`.

    Raises:
        ConfigurationError: the return changed since it was checked, or `target` cannot be
            written.
        UnreadableFileError: the reading guard refuses to open the return for editing.
    """
    try:  # (bounded: a return's size, a regular file; never a pipe waited on)
        copy = snapshot.take(result.path, DEFAULT_LIMITS)
    except UnreadableFileError as exc:
        raise ConfigurationError(f"{result.path}: {exc.reason}.") from None
    try:
        content = copy.file.read()
    finally:
        copy.close()
    if hashlib.sha256(content).hexdigest() != result.sha256:
        raise ConfigurationError(
            f"{result.path}: the file has changed since it was checked. Validate it again.")
    workbook = load_for_editing(result.path, content)
    remove_feedback(workbook)
    sheets = _sheet_names(result, workbook.sheetnames)
    for (sheet, cell), findings in _by_cell(result.findings).items():
        name = sheets.get(sheet)
        if name and cell:
            _mark(workbook[name], cell, findings)
    _problems_sheet(workbook, result, sheets)
    try:
        workbook.save(target)
    except OSError as exc:
        raise ConfigurationError(
            f"{target}: cannot be written ({exc.strerror}). Close it if it is open in Excel, "
            "then try again.") from None
    stabilise(target)
    return target


# ---------------------------------------------------------------------------------------------
# Marks on the cells.


def _by_cell(findings: Iterable[Finding]) -> dict[tuple[str, str], list[Finding]]:
    grouped: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        grouped.setdefault((finding.sheet, finding.cell), []).append(finding)
    return grouped


def what_is_wrong(finding: Finding) -> str:
    """The finding's message without its 'Sheet!Cell: ' prefix, starting with a capital."""
    text = finding.message
    for prefix in (f"{finding.where}: ", f"{finding.sheet}: "):
        if finding.where and text.startswith(prefix):
            text = text[len(prefix):]
            break
    return text[:1].upper() + text[1:]


def _mark(sheet: Any, ref: str, findings: list[Finding]) -> None:
    """Highlight one cell (fill and border, red for an error, amber for a warning) and put a
    note on it saying what is wrong."""
    from openpyxl.comments import Comment
    from openpyxl.formatting.rule import Rule
    from openpyxl.styles import Border, Font, PatternFill, Side
    from openpyxl.styles.differential import DifferentialStyle

    worst = Severity.ERROR if any(f.severity is Severity.ERROR for f in findings) \
        else Severity.WARNING
    fill, font, edge = _STYLES[worst]
    side = Side(style="thin", color=edge[1:])
    style = DifferentialStyle(
        fill=PatternFill(fill_type="solid", start_color=fill[1:], end_color=fill[1:]),
        font=Font(color=font[1:], bold=True),
        border=Border(left=side, right=side, top=side, bottom=side))
    rule = Rule(type="expression", dxf=style, formula=[f'"{MARKER}"<>""'])
    sheet.conditional_formatting.add(ref, rule)
    text = NOTE_HEADING + "\n" + "\n\n".join(
        f"{f.severity.value}: {what_is_wrong(f)}" for f in findings)
    lines = sum(max(1, math.ceil(len(part) / 48)) for part in text.split("\n"))
    sheet[ref].comment = Comment(text, AUTHOR, height=min(20 + 15 * lines, 400), width=320)


def remove_feedback(workbook: Any) -> None:
    """Take off the marks and the Problems sheet of earlier feedback (a resubmitted feedback
    file), leaving the return as it was sent out."""
    from openpyxl.formatting.formatting import ConditionalFormattingList

    if PROBLEMS_SHEET in workbook.sheetnames:
        workbook.remove(workbook[PROBLEMS_SHEET])
    for sheet in workbook.worksheets:
        kept = ConditionalFormattingList()
        for formatting in sheet.conditional_formatting:
            for rule in formatting.rules:
                if not any(MARKER in str(f) for f in rule.formula or ()):
                    kept.add(str(formatting.sqref), rule)
        sheet.conditional_formatting = kept
        for row in sheet.iter_rows():
            for cell in row:
                note = cell.comment
                if note is not None and (note.author == AUTHOR
                                         or str(note.text).startswith(NOTE_HEADING)):
                    cell.comment = None


def _sheet_names(result: ReturnResult, names: list[str]) -> dict[str, str]:
    """Each expected sheet's name in the file (a renamed sheet is found as validation finds it);
    hidden sheets are left out, as nobody can go to them."""
    from workbook_tools.returns.read import ReturnFile, find_sheets

    found = find_sheets(ReturnFile(result.path, True), names)
    return {expected: actual for expected, actual in found.items()
            if expected != layout.META_SHEET}


# ---------------------------------------------------------------------------------------------
# The Problems sheet.


def _problems_sheet(workbook: Any, result: ReturnResult, sheets: dict[str, str]) -> None:
    from openpyxl.styles import Alignment, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink

    sheet = workbook.create_sheet(PROBLEMS_SHEET, 0)
    for other in workbook.worksheets:
        other.sheet_view.tabSelected = False
    workbook.active = sheet
    sheet.sheet_view.tabSelected = True
    sheet.sheet_view.showGridLines = False

    data = result.data
    who = data.meta.get("Directorate name", "") if data else ""
    errors, warnings = len(result.errors), len(result.warnings)
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    _text(sheet, "A1", f"Problems found in this return: {who} ({result.directorate}), "
                       f"{result.quarter}", _font(bold=True, size=14, color=NAVY[1:]))
    if errors:
        verdict = (f"The return cannot be accepted yet: {count(errors, 'error')} must be put "
                   "right" + (f", and {count(warnings, 'warning')} should be checked." if
                              warnings else "."))
    else:
        verdict = (f"The return has been accepted, with {count(warnings, 'warning')} to check. "
                   "Correct anything that is wrong and send it again, or explain it in the "
                   "commentary.")
    _text(sheet, "A2", verdict, _font(bold=True, size=11,
                                     color=(_STYLES[Severity.ERROR] if errors
                                            else _STYLES[Severity.WARNING])[1][1:]))
    _text(sheet, "A3", "Click a cell under Go to to jump to the problem. Problem cells are "
                       "highlighted (red: error, amber: warning) and carry a note saying what is "
                       "wrong. Correct this file, check that the Checks sheet shows Ready to "
                       "submit: YES, and send it back as your return.", _font(italic=True))
    sheet.merge_cells("A3:E3")
    sheet["A3"].alignment = wrap
    sheet.row_dimensions[3].height = 30

    header_row = FIRST_PROBLEM_ROW - 1
    white = _font(bold=True, color="FFFFFF")
    navy = PatternFill(fill_type="solid", start_color=NAVY[1:], end_color=NAVY[1:])
    for col, (title, width) in enumerate(zip(PROBLEM_HEADERS, PROBLEM_WIDTHS, strict=True),
                                         start=1):
        cell = sheet.cell(header_row, col)
        _text(sheet, cell.coordinate, title, white)
        cell.fill = navy
        sheet.column_dimensions[cell.column_letter].width = width
    link_font = _font(color="0563C1", underline="single")
    for number, finding in enumerate(result.findings, start=1):
        row = header_row + number
        fill, font, _ = _STYLES[finding.severity]
        sheet.cell(row, 1, number).alignment = top
        sheet.cell(row, 1).font = _font()
        severity = _text(sheet, f"B{row}", finding.severity.value,
                         _font(bold=True, color=font[1:]))
        severity.fill = PatternFill(fill_type="solid", start_color=fill[1:], end_color=fill[1:])
        name = sheets.get(finding.sheet)
        shown = f"{name}!{finding.cell}" if name and finding.cell else name or finding.where
        where = _text(sheet, f"C{row}", shown or "Whole file")
        if name:
            quoted = name.replace("'", "''")
            where.hyperlink = Hyperlink(ref=where.coordinate,
                                        location=f"'{quoted}'!{finding.cell or 'A1'}",
                                        tooltip=f"Go to {shown}")
            where.font = link_font
        _text(sheet, f"D{row}", _item(workbook, name, finding))
        message = _text(sheet, f"E{row}", what_is_wrong(finding))
        _text(sheet, f"F{row}", finding.code)
        for col in range(2, 7):
            sheet.cell(row, col).alignment = wrap if col == 5 else top
        lines = max(1, math.ceil(len(str(message.value)) / (PROBLEM_WIDTHS[4] * 1.1)))
        sheet.row_dimensions[row].height = 15 * lines + 2
    sheet.freeze_panes = f"A{FIRST_PROBLEM_ROW}"
    last = header_row + max(len(result.findings), 1)
    sheet.auto_filter.ref = f"A{header_row}:F{last}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _item(workbook: Any, name: str | None, finding: Finding) -> str:
    """What the problem is about: the item's ID on a data sheet, the label on the Cover."""
    if not name or not finding.cell:
        return ""
    from openpyxl.utils.cell import coordinate_from_string

    sheet = workbook[name]
    _, row = coordinate_from_string(finding.cell)
    if finding.sheet in layout.DATA_SHEETS and row > HEADER_ROW:
        value = sheet.cell(row, 1).value
    elif finding.sheet == Sheet.COVER:
        value = sheet.cell(row, layout.COVER_LABEL_COL + 1).value
    else:
        value = None
    return "" if value is None else str(value)


def _text(sheet: Any, ref: str, value: str, font: Any = None) -> Any:
    """Write text as text: a value that starts with '=' stays words, never a formula."""
    cell = sheet[ref]
    cell.value = visible(value)  # a control character from a return cannot go in a cell
    cell.data_type = "s"
    cell.font = font if font is not None else _font()
    return cell


def _font(**style: Any) -> Any:
    """A font for the Problems sheet: the return's own (Calibri; LibreOffice shows its metric
    twin), never left unnamed, which LibreOffice shows in a serif face."""
    from openpyxl.styles import Font

    return Font(name=FONT_NAME, **{"size": FONT_SIZE, **style})

