"""Write one protected, pre-filled return per directorate (SPEC section 6).

The Cover and Checks sheets are written by cover.py, the look of every cell by return_style.py.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from workbook_tools import TEMPLATE_VERSION, __version__
from workbook_tools.collector import paused
from workbook_tools.errors import UsageError, about_file
from workbook_tools.files.xlsx import add_rag_formatting, new_workbook
from workbook_tools.parallel import ordered_map
from workbook_tools.plan.register import DirectoratePlan, Plan
from workbook_tools.quarters import Quarter
from workbook_tools.returns import layout
from workbook_tools.returns.cover import COVER, CoverCells, write_checks, write_cover
from workbook_tools.returns.fingerprint import CellHashes, fingerprint
from workbook_tools.returns.inputs import add_validations, highlight_problems
from workbook_tools.returns.itemsheet import BLANK, FORMULA, NUMBER, Cell, ItemSheet, save
from workbook_tools.returns.layout import (
    FIRST_DATA_ROW,
    HEADER_ROW,
    META_KEYS,
    META_TABLE_ROW,
    RETURN_MARKER,
    Column,
    Context,
    Kind,
    Role,
    Sheet,
    SheetLayout,
)
from workbook_tools.returns.prefilled import items_of, prefilled_values
from workbook_tools.returns.style import (
    Styles,
    actual_format,
    fitted_height,
    item_row_height,
    number_format,
)

__all__ = ["COVER", "META_KEYS", "META_TABLE_ROW", "RETURN_MARKER", "CoverCells",
           "generate_returns", "return_filename", "write_return"]

NOTHING_HERE = layout.NOTHING_ON_SHEET
INTRO_WIDTH = 110  # the intro lines above a data sheet's header span about this many units


def return_filename(code: str, quarter: Quarter) -> str:
    return f"{code}_{quarter}.xlsx"


def generate_returns(
    plan: Plan,
    quarter: Quarter,
    out_dir: Path,
    directorates: Iterable[str] = (),
    context: Context | None = None,
    password: str | None = None,
    now: dt.datetime | None = None,
) -> list[Path]:
    """Write one return per directorate (all of them, or those named).

    The same plan, quarter, context and `now` give byte-identical files.

    Raises:
        UsageError: a directorate code that is not in the register.
    """
    known = [d.code for d in plan.directorates]
    wanted = list(dict.fromkeys(directorates)) or known
    unknown = [code for code in wanted if code not in known]
    if unknown:
        raise UsageError(
            f"'{unknown[0]}' is not a directorate in the register. Known: {', '.join(known)}."
        )
    ctx = context or Context(quarter=quarter)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = (now or dt.datetime.now()).replace(microsecond=0)
    job = _WriteReturn(plan, ctx, out_dir, password, stamp)
    plan.group_by_directorate()  # once, before the workers fork
    return list(ordered_map(job, wanted))


class _WriteReturn:
    """One directorate's return, as a task for a worker process (parallel.ordered_map)."""

    def __init__(self, plan: Plan, ctx: Context, out_dir: Path, password: str | None,
                 stamp: dt.datetime) -> None:
        self.plan, self.ctx, self.out_dir = plan, ctx, out_dir
        self.password, self.stamp = password, stamp

    def __call__(self, code: str) -> Path:
        path = self.out_dir / return_filename(code, self.ctx.quarter)
        write_return(self.plan.for_directorate(code), self.ctx, path, password=self.password,
                     generated=self.stamp)
        return path


# A return is some 100,000 small objects, none in a reference cycle but xlsxwriter's few
# (freed when the collector runs again after it): the collector walking them, and the plan, as
# they were made was a sixth of the time.
@about_file("path")
@paused()
def write_return(
    dplan: DirectoratePlan,
    ctx: Context,
    path: Path,
    password: str | None = None,
    generated: dt.datetime | None = None,
) -> None:
    """Write one directorate's return."""
    workbook = new_workbook(path)
    workbook.worksheet_class = ItemSheet
    workbook.in_memory = True  # a return is small: no temporary file per part
    styles = Styles(workbook)
    sheets = {name: workbook.add_worksheet(name) for name in layout.SHEET_ORDER}
    lists = None

    meta_rows: list[tuple[str, int, str, str]] = []
    counts: dict[str, int] = {}
    for name, spec in layout.SHEETS.items():
        items = items_of(dplan, name)
        counts[name] = len(items)
        lists = _write_data_sheet(
            workbook, sheets[name], spec, items, dplan, ctx, styles, lists, meta_rows
        )
    write_cover(workbook, sheets[Sheet.COVER], dplan, ctx, styles)
    write_checks(workbook, sheets[Sheet.CHECKS], dplan, ctx, styles, counts)
    _write_meta(
        sheets[layout.META_SHEET],
        dplan,
        ctx,
        meta_rows,
        counts,
        generated or dt.datetime.now().replace(microsecond=0),
    )

    workbook.define_name("QuarterEnd", f"={COVER.ref(COVER.quarter_end)}")
    workbook.define_name("AmberTolerance", f"={COVER.ref(COVER.tolerance)}")
    protect = {
        "format_columns": True,
        "format_rows": True,
        "autofilter": True,
        "select_locked_cells": True,
        "select_unlocked_cells": True,
    }
    for name in (Sheet.COVER, *layout.DATA_SHEETS, Sheet.CHECKS):
        sheets[name].protect(password or "", protect)
    sheets[Sheet.COVER].activate()
    save(workbook)


def _write_data_sheet(
    workbook: Any,
    sheet: Any,
    spec: SheetLayout,
    items: Sequence[Any],
    dplan: DirectoratePlan,
    ctx: Context,
    styles: Styles,
    lists: Any,
    meta_rows: list[tuple[str, int, str, str]],
) -> Any:
    plan, quarter = dplan.plan, ctx.quarter
    header0 = HEADER_ROW - 1
    first0 = FIRST_DATA_ROW - 1
    last0 = first0 + max(len(items), 1) - 1
    widths = [column.width for column in spec.columns]
    _write_title(workbook, sheet, spec, dplan, quarter, styles, widths)
    for col, column in enumerate(spec.columns):
        header_format = styles.header_input if column.is_input else styles.header
        sheet.write_string(header0, col, column.header, header_format)
        sheet.set_column(col, col, column.width)
    # bold headers are wider than the text the estimate is for, and leave room for the filter
    sheet.set_row(header0, fitted_height(
        (c.header, (c.width - 2.5) * 0.9) for c in spec.columns))

    prefilled_keys = [c.key for c in spec.prefilled]
    hashes = CellHashes()
    makers = _cell_makers(spec, styles, quarter, sheet)
    for offset, item in enumerate(items):
        row0 = first0 + offset
        row1 = row0 + 1
        values = prefilled_values(spec.name, item, plan, ctx)
        # the height fits the text; the row grows again as people type (Excel and LibreOffice
        # keep a height marked as custom whatever is typed)
        sheet.add_row(row0, [make(sheet, row0, item, values) for make in makers],
                      item_row_height(spec, values))
        meta_rows.append(
            (
                spec.name,
                row1,
                str(values["id"]),
                ".".join([hashes(key, values.get(key)) for key in prefilled_keys]),
            )
        )
    if not items:
        sheet.write_string(first0, 0, NOTHING_HERE, styles.note)

    sheet.freeze_panes(HEADER_ROW, spec.index("name") + 1)
    if items:
        sheet.autofilter(header0, 0, last0, len(spec.columns) - 1)
        lists = add_validations(workbook, sheet, spec, items, quarter, first0, last0, lists)
        for col, column in enumerate(spec.columns):
            if column.key == "rag":
                add_rag_formatting(workbook, sheet, first0, col, last0)
        highlight_problems(sheet, spec, quarter, first0, last0, styles)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.center_horizontally()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0, header0)
    sheet.set_margins(left=0.3, right=0.3, top=0.4, bottom=0.5)
    sheet.set_footer(
        f"&L{plan.settings.council_name}: {dplan.directorate.name}&C{quarter}&RPage &P of &N"
    )
    return lists


def _write_title(workbook: Any, sheet: Any, spec: SheetLayout, dplan: DirectoratePlan,
                 quarter: Quarter, styles: Styles, widths: list[float]) -> None:
    """Rows 1 to 3: the title, what to do on this sheet, and the colours and deadline."""
    deadline = quarter.deadline(dplan.plan.settings.deadline_days)
    sheet.set_row(0, 24)
    sheet.write_string(0, 0, f"{spec.title}: {dplan.directorate.name}, {quarter}", styles.title)
    span, width = 0, widths[0]
    while span + 1 < len(widths) and width < INTRO_WIDTH:
        span += 1
        width += widths[span]
    sheet.merge_range(1, 0, 1, span, spec.intro, styles.intro)
    sheet.set_row(1, fitted_height([(spec.intro, width)]))
    key = ("Type in the yellow cells. Grey cells come from the plan and are locked; blue cells "
           "work themselves out. ")
    due = f"Return by {deadline:%A} {deadline.day} {deadline:%B %Y}."
    sheet.merge_range(2, 0, 2, span, "", styles.note)
    sheet.write_rich_string(2, 0, styles.note, key, styles.deadline_line, due, styles.note)
    sheet.set_row(2, fitted_height([(key + due, width)]))


CellMaker = Callable[[ItemSheet, int, Any, dict[str, Any]], Cell | None]


def _cell_makers(spec: SheetLayout, styles: Styles, quarter: Quarter,
                 sheet: ItemSheet) -> list[CellMaker]:
    """How each column's cell of an item's row is made, worked out once per sheet: a pre-filled
    value from its source, a derived column's formula, an input left blank (a measure's
    Actual: in its unit's format, or Not due)."""
    makers: list[CellMaker] = []
    for column in spec.columns:
        if column.role is Role.PREFILLED:
            makers.append(_prefilled_maker(styles, column))
        elif column.role is Role.DERIVED:
            makers.append(_formula_maker(sheet.formula_template(spec.row_formula(column.key)),
                                         styles.cell(column)))
        elif spec.name == layout.MEASURES.name and column.key == "actual":
            makers.append(_actual_maker(styles, column, quarter))
        else:
            makers.append(_blank_maker(styles.cell(column)))
    return makers


def _prefilled_maker(styles: Styles, column: Column) -> CellMaker:
    key = column.key
    if column.kind is not Kind.NUMBER:
        cell_format = styles.cell(column)

        def make(sheet: ItemSheet, row0: int, item: Any, values: dict[str, Any]) -> Cell | None:
            return _value_cell(sheet, values.get(key), cell_format)
        return make

    def make_number(sheet: ItemSheet, row0: int, item: Any, values: dict[str, Any]
                    ) -> Cell | None:
        value = values.get(key)
        return _value_cell(sheet, value, _prefilled_format(styles, column, item, value))
    return make_number


def _formula_maker(template: str, cell_format: Any) -> CellMaker:
    def make(sheet: ItemSheet, row0: int, item: Any, values: dict[str, Any]) -> Cell | None:
        return FORMULA, template.format(row=row0 + 1), cell_format
    return make


def _actual_maker(styles: Styles, column: Column, quarter: Quarter) -> CellMaker:
    def make(sheet: ItemSheet, row0: int, item: Any, values: dict[str, Any]) -> Cell | None:
        if not item.is_due(quarter):
            return sheet.text(layout.NOT_DUE, styles.not_due)
        return BLANK, None, styles.cell(column, actual_format(item.unit, item.target_for(quarter)))
    return make


def _blank_maker(cell_format: Any) -> CellMaker:
    cell = (BLANK, None, cell_format)

    def make(sheet: ItemSheet, row0: int, item: Any, values: dict[str, Any]) -> Cell | None:
        return cell
    return make


def _prefilled_format(styles: Styles, column: Column, item: Any, value: Any) -> Any:
    """A pre-filled number is shown as a person writes it: 80 not 80., 72.5%, £1,200."""
    if column.kind is Kind.NUMBER and isinstance(value, int | float):
        unit = getattr(item, "unit", "") if column.key in ("target", "previous") else ""
        return styles.cell(column, number_format(value, unit))
    return styles.cell(column)


def _value_cell(sheet: ItemSheet, value: Any, fmt: Any) -> Cell | None:
    """A pre-filled value's cell, by its type: text always as text."""
    if value.__class__ is str:  # most pre-filled cells
        return sheet.text(value, fmt) if value else (BLANK, None, fmt)
    if value is None or value == "":
        return BLANK, None, fmt
    if isinstance(value, dt.date):
        return NUMBER, sheet.date_number(dt.datetime.combine(value, dt.time())), fmt
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value):  # as xlsxwriter's write_number
            raise TypeError("NAN/INF not supported in write_number()")
        return NUMBER, value, fmt
    return sheet.text(str(value), fmt)


def _write_meta(
    sheet: ItemSheet,
    dplan: DirectoratePlan,
    ctx: Context,
    rows: list[tuple[str, int, str, str]],
    counts: dict[str, int],
    generated: dt.datetime,
) -> None:
    values = {
        "Return": RETURN_MARKER,
        "Template version": TEMPLATE_VERSION,
        "Tool version": __version__,
        "Council": dplan.plan.settings.council_name,
        "Directorate": dplan.directorate.code,
        "Directorate name": dplan.directorate.name,
        "Quarter": str(ctx.quarter),
        "Generated": generated.isoformat(),
        "Fingerprint": fingerprint((s, i, h) for s, _, i, h in rows),
    }
    for r, key in enumerate(META_KEYS):
        sheet.write_string(r, 0, key)
        sheet.write_string(r, 1, values[key])
    for offset, name in enumerate(layout.DATA_SHEETS):
        sheet.write_string(len(META_KEYS) + offset, 0, f"Rows: {name}")
        sheet.write_number(len(META_KEYS) + offset, 1, counts[name])
    for col, title in enumerate(("Sheet", "Row", "ID", "Cells")):
        sheet.write_string(META_TABLE_ROW - 1, col, title)
    for offset, (name, row1, item_id, hashes) in enumerate(rows):
        sheet.add_row(META_TABLE_ROW + offset, [
            sheet.text(name, None), (NUMBER, row1, None), sheet.text(item_id, None),
            sheet.text(hashes, None)])
    sheet.very_hidden()
