"""Write one protected, pre-filled return per directorate (SPEC section 6)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbook_tools import TEMPLATE_VERSION, __version__, layout
from workbook_tools.cells import cell_ref, column_letter
from workbook_tools.errors import UsageError
from workbook_tools.fingerprint import fingerprint, row_hashes
from workbook_tools.layout import (
    FIRST_DATA_ROW,
    HEADER_ROW,
    Column,
    Context,
    Kind,
    Role,
    SheetLayout,
)
from workbook_tools.plan import DirectoratePlan, Plan
from workbook_tools.quarters import Quarter
from workbook_tools.xlsx import (
    DERIVED_FILL,
    INPUT_FILL,
    LOCKED_FILL,
    NAVY,
    add_rag_formatting,
    new_workbook,
)

META_TABLE_ROW = 20  # 1-based row where _meta's per-row table header sits
META_KEYS = (
    "Return",
    "Template version",
    "Tool version",
    "Council",
    "Directorate",
    "Directorate name",
    "Quarter",
    "Generated",
    "Fingerprint",
)
RETURN_MARKER = "workbook-tools quarterly return"


def return_filename(code: str, quarter: Quarter) -> str:
    return f"{code}_{quarter}.xlsx"


@dataclass(frozen=True)
class CoverCells:
    """Where the Cover's values sit (1-based rows, in column C)."""

    quarter_end: int = 7
    deadline: int = 8
    tolerance: int = 9
    ready: int = 10
    completed_by: int = 31
    approved_by: int = 32
    signoff_date: int = 33

    def ref(self, row: int) -> str:
        return f"Cover!$C${row}"


COVER = CoverCells()


# ---------------------------------------------------------------------------------------------
# What each pre-filled column holds for an item.


def prefilled_values(sheet: str, item: Any, plan: Plan, ctx: Context) -> dict[str, Any]:
    objective = plan.objective(getattr(item, "objective_code", None))
    objective_name = objective.name if objective else ""
    if sheet == "Measures":
        return {
            "id": item.id,
            "objective": objective_name,
            "name": item.name,
            "unit": item.unit,
            "polarity": item.polarity,
            "frequency": item.frequency,
            "target": item.target_for(ctx.quarter) if item.is_due(ctx.quarter) else None,
            "tolerance": plan.tolerance_for(item),
            "previous": ctx.previous_actuals.get(item.id),
        }
    if sheet == "Actions":
        return {
            "id": item.id,
            "objective": objective_name,
            "name": item.name,
            "lead": item.lead_officer,
            "due": item.due_date,
        }
    if sheet == "Savings":
        return {
            "id": item.id,
            "objective": objective_name,
            "name": item.name,
            "type": item.type or "",
            "target": item.target,
            "previous": ctx.previous_delivered.get(item.id),
        }
    if sheet == "Risks":
        previous = ctx.previous_scores.get(item.id)
        if previous is None and item.likelihood and item.impact:
            previous = item.likelihood * item.impact
        return {"id": item.id, "name": item.name, "owner": item.owner, "previous": previous}
    raise KeyError(sheet)


def items_of(dplan: DirectoratePlan, sheet: str) -> Sequence[Any]:
    return {
        "Measures": dplan.measures,
        "Actions": dplan.actions,
        "Savings": dplan.savings,
        "Risks": dplan.risks,
    }[sheet]


# ---------------------------------------------------------------------------------------------


class _Formats:
    """The return's cell formats, made once per workbook."""

    NUMBER_FORMATS = {
        Kind.MONEY: "£#,##0;[Red]-£#,##0",
        Kind.DATE: "dd/mm/yyyy",
        Kind.NUMBER: "#,##0.##",
        Kind.PERCENT: "0",
        Kind.SCORE: "0",
    }

    def __init__(self, workbook: Any) -> None:
        self.workbook = workbook
        self._cache: dict[tuple[str, Kind], Any] = {}
        base = {"valign": "top", "border": 1, "border_color": "#BFBFBF", "font_size": 10}
        self.base = base
        self.title = workbook.add_format({"bold": True, "font_size": 16, "font_color": NAVY})
        self.subtitle = workbook.add_format({"font_size": 11, "font_color": "#404040"})
        self.intro = workbook.add_format(
            {
                "italic": True,
                "font_size": 10,
                "text_wrap": True,
                "valign": "top",
                "font_color": "#404040",
            }
        )
        self.header = workbook.add_format(
            {
                "bold": True,
                "font_color": "#FFFFFF",
                "bg_color": NAVY,
                "text_wrap": True,
                "valign": "vcenter",
                "border": 1,
                "font_size": 10,
            }
        )
        self.label = workbook.add_format({"bold": True, "valign": "top", "font_size": 10})
        self.section = workbook.add_format(
            {"bold": True, "font_size": 12, "font_color": NAVY, "bottom": 2, "bottom_color": NAVY}
        )
        self.text = workbook.add_format({"text_wrap": True, "valign": "top", "font_size": 10})
        self.value = workbook.add_format(
            {
                "valign": "top",
                "font_size": 10,
                "text_wrap": True,
                "bg_color": LOCKED_FILL,
                "border": 1,
                "border_color": "#BFBFBF",
            }
        )
        self.value_date = workbook.add_format(
            {
                "valign": "top",
                "font_size": 10,
                "align": "left",
                "bg_color": LOCKED_FILL,
                "num_format": "dddd d mmmm yyyy",
                "border": 1,
                "border_color": "#BFBFBF",
            }
        )
        self.deadline = workbook.add_format(
            {
                "valign": "top",
                "font_size": 10,
                "bold": True,
                "font_color": "#C00000",
                "align": "left",
                "num_format": "dddd d mmmm yyyy",
                "bg_color": LOCKED_FILL,
                "border": 1,
                "border_color": "#BFBFBF",
            }
        )
        self.big = workbook.add_format(
            {"bold": True, "font_size": 14, "align": "center", "valign": "vcenter", "border": 1}
        )
        self.count = workbook.add_format(
            {
                "font_size": 11,
                "align": "center",
                "bold": True,
                "border": 1,
                "border_color": "#BFBFBF",
                "bg_color": DERIVED_FILL,
            }
        )
        self.key = {
            role: workbook.add_format({"bg_color": fill, "border": 1, "border_color": "#BFBFBF"})
            for role, fill in (
                (Role.INPUT, INPUT_FILL),
                (Role.PREFILLED, LOCKED_FILL),
                (Role.DERIVED, DERIVED_FILL),
            )
        }
        self.input_text = workbook.add_format(
            {**base, "bg_color": INPUT_FILL, "locked": False, "text_wrap": True}
        )
        self.input_date = workbook.add_format(
            {
                **base,
                "bg_color": INPUT_FILL,
                "locked": False,
                "num_format": "dd/mm/yyyy",
                "align": "left",
            }
        )
        self.not_due = workbook.add_format(
            {
                **base,
                "bg_color": LOCKED_FILL,
                "italic": True,
                "font_color": "#7F7F7F",
                "text_wrap": True,
            }
        )

    def cell(self, column: Column) -> Any:
        role = column.role
        key = (role.value, column.kind)
        if key not in self._cache:
            fill = {
                Role.INPUT: INPUT_FILL,
                Role.PREFILLED: LOCKED_FILL,
                Role.DERIVED: DERIVED_FILL,
            }[role]
            props: dict[str, Any] = {
                **self.base,
                "bg_color": fill,
                "locked": role is not Role.INPUT,
            }
            if column.kind in (Kind.TEXT, Kind.LONGTEXT, Kind.CHOICE):
                props["text_wrap"] = True
            if column.kind in self.NUMBER_FORMATS:
                props["num_format"] = self.NUMBER_FORMATS[column.kind]
            if role is Role.DERIVED and column.kind is Kind.TEXT:
                props["align"] = "center"
            self._cache[key] = self.workbook.add_format(props)
        return self._cache[key]


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

    Raises:
        UsageError: a directorate code that is not in the register.
    """
    known = [d.code for d in plan.directorates]
    wanted = list(directorates) or known
    unknown = [code for code in wanted if code not in known]
    if unknown:
        raise UsageError(
            f"'{unknown[0]}' is not a directorate in the register. Known: {', '.join(known)}."
        )
    ctx = context or Context(quarter=quarter)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = (now or dt.datetime.now()).replace(microsecond=0)
    paths = []
    for code in wanted:
        path = out_dir / return_filename(code, quarter)
        write_return(plan.for_directorate(code), ctx, path, password=password, generated=stamp)
        paths.append(path)
    return paths


def write_return(
    dplan: DirectoratePlan,
    ctx: Context,
    path: Path,
    password: str | None = None,
    generated: dt.datetime | None = None,
) -> None:
    """Write one directorate's return."""
    workbook = new_workbook(path)
    formats = _Formats(workbook)
    sheets = {name: workbook.add_worksheet(name) for name in layout.SHEET_ORDER}
    lists = None

    meta_rows: list[tuple[str, int, str, str]] = []
    counts: dict[str, int] = {}
    for name, spec in layout.SHEETS.items():
        items = items_of(dplan, name)
        counts[name] = len(items)
        lists = _write_data_sheet(
            workbook, sheets[name], spec, items, dplan, ctx, formats, lists, meta_rows
        )
    _write_cover(workbook, sheets["Cover"], dplan, ctx, formats)
    _write_checks(workbook, sheets["Checks"], dplan, ctx, formats, counts)
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
    for name in ("Cover", *layout.DATA_SHEETS, "Checks"):
        sheets[name].protect(password or "", protect)
    sheets["Cover"].activate()
    workbook.close()


def _write_data_sheet(
    workbook: Any,
    sheet: Any,
    spec: SheetLayout,
    items: Sequence[Any],
    dplan: DirectoratePlan,
    ctx: Context,
    formats: _Formats,
    lists: Any,
    meta_rows: list[tuple[str, int, str, str]],
) -> Any:
    plan, quarter = dplan.plan, ctx.quarter
    header0 = HEADER_ROW - 1
    first0 = FIRST_DATA_ROW - 1
    last0 = first0 + max(len(items), 1) - 1
    sheet.write_string(0, 0, f"{spec.title}: {dplan.directorate.name}, {quarter}", formats.title)
    span = min(len(spec.columns) - 1, 6)
    sheet.merge_range(1, 0, 1, span, spec.intro, formats.intro)
    sheet.merge_range(
        2,
        0,
        2,
        span,
        "Yellow cells are yours to fill in. Grey cells come from the "
        "plan and are locked. Blue cells work themselves out.",
        formats.intro,
    )
    sheet.set_row(1, 30)
    sheet.set_row(header0, 32)
    for col, column in enumerate(spec.columns):
        sheet.write_string(header0, col, column.header, formats.header)
        sheet.set_column(col, col, column.width)

    prefilled_keys = [c.key for c in spec.prefilled]
    for offset, item in enumerate(items):
        row0 = first0 + offset
        row1 = row0 + 1
        values = prefilled_values(spec.name, item, plan, ctx)
        for col, column in enumerate(spec.columns):
            fmt = formats.cell(column)
            if column.role is Role.PREFILLED:
                _write_value(sheet, row0, col, values.get(column.key), fmt)
            elif column.role is Role.DERIVED:
                sheet.write_formula(row0, col, spec.formula_for(column.key, row1), fmt, "")
            elif spec.name == "Measures" and column.key == "actual" and not item.is_due(quarter):
                sheet.write_string(row0, col, layout.NOT_DUE, formats.not_due)
            else:
                sheet.write_blank(row0, col, None, fmt)
        meta_rows.append(
            (
                spec.name,
                row1,
                str(values["id"]),
                row_hashes(prefilled_keys, [values.get(k) for k in prefilled_keys]),
            )
        )
    if not items:
        sheet.write_string(
            first0, 0, "Nothing for your directorate on this sheet this quarter.", formats.intro
        )

    sheet.freeze_panes(HEADER_ROW, 1)
    if items:
        sheet.autofilter(header0, 0, last0, len(spec.columns) - 1)
        lists = _validations(workbook, sheet, spec, items, quarter, first0, last0, lists)
        for col, column in enumerate(spec.columns):
            if column.key in ("rag",):
                add_rag_formatting(workbook, sheet, first0, col, last0)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(header0)
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    sheet.set_footer(
        f"&L{plan.settings.council_name}: {dplan.directorate.name}&C{quarter}&RPage &P of &N"
    )
    return lists


def _write_value(sheet: Any, row: int, col: int, value: Any, fmt: Any) -> None:
    if value is None or value == "":
        sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()), fmt)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        sheet.write_number(row, col, value, fmt)
    else:
        sheet.write_string(row, col, str(value), fmt)


def _validations(
    workbook: Any,
    sheet: Any,
    spec: SheetLayout,
    items: Sequence[Any],
    quarter: Quarter,
    first0: int,
    last0: int,
    lists: Any,
) -> Any:
    for col, column in enumerate(spec.columns):
        if not column.is_input:
            continue
        prompt = {"input_title": column.header[:32], "input_message": column.prompt[:255]}
        if column.kind is Kind.CHOICE:
            source: Any = list(column.choices)
            if len(",".join(column.choices)) >= 255:
                lists, source = _list_range(workbook, lists, column)
            sheet.data_validation(
                first0,
                col,
                last0,
                col,
                {
                    "validate": "list",
                    "source": source,
                    **prompt,
                    "error_title": "Choose from the list",
                    "error_message": f"Choose one of: {', '.join(column.choices)}"[:255],
                },
            )
        elif column.kind is Kind.NUMBER and spec.name == "Measures":
            _measure_validations(sheet, spec, items, quarter, first0, col, prompt)
        elif column.kind in (Kind.MONEY, Kind.PERCENT, Kind.SCORE, Kind.NUMBER):
            rule = {
                Kind.MONEY: {
                    "validate": "decimal",
                    "criteria": ">=",
                    "value": 0,
                    "error_message": "Type an amount in pounds, zero or more.",
                },
                Kind.PERCENT: {
                    "validate": "decimal",
                    "criteria": "between",
                    "minimum": 0,
                    "maximum": 100,
                    "error_message": "Type a number from 0 to 100.",
                },
                Kind.SCORE: {
                    "validate": "integer",
                    "criteria": "between",
                    "minimum": 1,
                    "maximum": 5,
                    "error_message": "Type a whole number from 1 to 5.",
                },
                Kind.NUMBER: {
                    "validate": "decimal",
                    "criteria": "between",
                    "minimum": -1e12,
                    "maximum": 1e12,
                    "error_message": "Type a number.",
                },
            }[column.kind]
            sheet.data_validation(
                first0, col, last0, col, {**rule, **prompt, "error_title": "Not a valid number"}
            )
        elif column.kind is Kind.DATE:
            sheet.data_validation(
                first0,
                col,
                last0,
                col,
                {
                    "validate": "date",
                    "criteria": "between",
                    "minimum": dt.date(2000, 1, 1),
                    "maximum": dt.date(2099, 12, 31),
                    **prompt,
                    "error_title": "Not a date",
                    "error_message": "Type a date such as 31/03/2026.",
                },
            )
        else:
            sheet.data_validation(
                first0,
                col,
                last0,
                col,
                {
                    "validate": "length",
                    "criteria": "<=",
                    "value": 4000,
                    **prompt,
                    "error_title": "Too long",
                    "error_message": "Keep this under 4,000 characters.",
                },
            )
    return lists


def _measure_validations(
    sheet: Any,
    spec: SheetLayout,
    items: Sequence[Any],
    quarter: Quarter,
    first0: int,
    col: int,
    prompt: dict[str, str],
) -> None:
    """A measure's actual is checked by its unit: % from 0 to 100, £ and days zero or more."""
    groups: dict[str, list[str]] = {}
    for offset, measure in enumerate(items):
        if not measure.is_due(quarter):
            continue
        kind = "%" if measure.unit == "%" else ("min0" if measure.unit in ("£", "days") else "any")
        groups.setdefault(kind, []).append(cell_ref(first0 + offset + 1, col))
    rules_by_kind = {
        "%": {
            "validate": "decimal",
            "criteria": "between",
            "minimum": 0,
            "maximum": 100,
            "error_message": "Type a percentage from 0 to 100 (85.5 for 85.5%).",
        },
        "min0": {
            "validate": "decimal",
            "criteria": ">=",
            "value": 0,
            "error_message": "Type a number, zero or more.",
        },
        "any": {
            "validate": "decimal",
            "criteria": "between",
            "minimum": -1e12,
            "maximum": 1e12,
            "error_message": "Type a number.",
        },
    }
    for kind, refs in groups.items():
        first = refs[0]
        sheet.data_validation(
            first,
            {
                **rules_by_kind[kind],
                **prompt,
                "error_title": "Not a valid number",
                "multi_range": " ".join(refs),
            },
        )


def _list_range(workbook: Any, lists: Any, column: Column) -> tuple[Any, str]:
    if lists is None:
        lists = {"sheet": workbook.add_worksheet(layout.LISTS_SHEET), "next": 0}
        lists["sheet"].hide()
    col = lists["next"]
    lists["next"] += 1
    for row, choice in enumerate(column.choices):
        lists["sheet"].write_string(row, col, choice)
    letter = column_letter(col)
    return lists, f"={layout.LISTS_SHEET}!${letter}$1:${letter}${len(column.choices)}"


def _write_cover(
    workbook: Any, sheet: Any, dplan: DirectoratePlan, ctx: Context, f: _Formats
) -> None:
    plan, quarter = dplan.plan, ctx.quarter
    settings = plan.settings
    deadline = quarter.deadline(settings.deadline_days)
    sheet.set_column(0, 0, 2)
    sheet.set_column(1, 1, 24)
    sheet.set_column(2, 2, 70)
    sheet.set_column(3, 3, 2)
    sheet.hide_gridlines(2)
    sheet.write_string(0, 1, "Quarterly performance and savings return", f.title)
    sheet.write_string(
        1, 1, f"{settings.council_name}  ·  {dplan.directorate.name}  ·  {quarter}", f.subtitle
    )

    def row(r1: int, label: str, value: Any, fmt: Any) -> None:
        sheet.write_string(r1 - 1, 1, label, f.label)
        _write_value(sheet, r1 - 1, 2, value, fmt)

    row(4, "Council", settings.council_name, f.value)
    row(5, "Directorate", f"{dplan.directorate.name} ({dplan.directorate.code})", f.value)
    row(
        6,
        "Quarter",
        f"{quarter}: {quarter.months} "
        f"{quarter.start_date.year if quarter.number < 4 else quarter.end_date.year}",
        f.value,
    )
    row(COVER.quarter_end, "Quarter ends", quarter.end_date, f.value_date)
    row(COVER.deadline, "Return deadline", deadline, f.deadline)
    row(COVER.tolerance, "Amber tolerance (%)", settings.amber_tolerance, f.value)
    sheet.write_string(COVER.ready - 1, 1, "Ready to submit", f.label)
    sheet.write_formula(COVER.ready - 1, 2, "=ReadyToSubmit", f.big, "NO")
    for word, fill in (("YES", "#C6EFCE"), ("NO", "#FFC7CE")):
        sheet.conditional_format(
            COVER.ready - 1,
            2,
            COVER.ready - 1,
            2,
            {
                "type": "cell",
                "criteria": "==",
                "value": f'"{word}"',
                "format": workbook.add_format({"bg_color": fill}),
            },
        )

    sheet.write_string(11, 1, "How to fill it in", f.section)
    sheet.write_blank(11, 2, None, f.section)
    steps = (
        "1. Work through the Measures, Actions, Savings and Risks sheets. Type only in the "
        "yellow cells.",
        "2. Measures: type this quarter's actual as a number (85.5 for 85.5%). Red or Amber needs "
        "a commentary, and say what you will do about it under Remedial action.",
        "3. Actions: choose a status from the list and give % complete. At risk or Off track needs "
        "a commentary. Give a revised due date only if the date has moved, and say why.",
        "4. Savings: give the saving delivered so far this year and the full-year forecast, in "
        "pounds. A forecast below target needs a commentary.",
        "5. Risks: score likelihood and impact from 1 to 5 and say what has been done to "
        "mitigate the risk.",
        "6. Open the Checks sheet: it counts what is still missing or wrong. Fix each item until "
        "Ready to submit shows YES.",
        "7. Fill in the sign-off below (two different people), save the file as it is (keep the "
        "name and the .xlsx format) and email it back by the deadline.",
        "Please do not add, delete, move or rename rows, columns or sheets: the return is read "
        "automatically.",
    )
    for offset, text in enumerate(steps):
        sheet.merge_range(12 + offset, 1, 12 + offset, 2, text, f.text)
        sheet.set_row(12 + offset, 28)

    sheet.write_string(21, 1, "Colour key", f.section)
    sheet.write_blank(21, 2, None, f.section)
    key = (
        (Role.INPUT, "Yellow: yours to fill in"),
        (Role.PREFILLED, "Grey: from the council's plan, locked"),
        (Role.DERIVED, "Blue: works itself out (RAG, score, direction)"),
    )
    for offset, (role, text) in enumerate(key):
        sheet.write_blank(22 + offset, 1, None, f.key[role])
        sheet.write_string(22 + offset, 2, text, f.text)
    rag_text = (
        "RAG: Green on or better than target; Amber within the amber tolerance of target; "
        "Red beyond it. Risks: Red 15 or more, Amber 8 to 12, Green 6 or less."
    )
    sheet.merge_range(25, 1, 25, 2, rag_text, f.text)
    sheet.set_row(25, 28)
    if settings.cover_note:
        sheet.merge_range(26, 1, 26, 2, settings.cover_note, f.intro)

    sheet.write_string(29, 1, "Sign-off", f.section)
    sheet.write_blank(29, 2, None, f.section)
    for r1, label, prompt in (
        (COVER.completed_by, layout.COMPLETED_BY, "Name of the officer who completed the return."),
        (
            COVER.approved_by,
            layout.APPROVED_BY,
            "Name of the director or head of service who approved it (not the same person).",
        ),
    ):
        sheet.write_string(r1 - 1, 1, label, f.label)
        sheet.write_blank(r1 - 1, 2, None, f.input_text)
        sheet.data_validation(
            r1 - 1,
            2,
            r1 - 1,
            2,
            {
                "validate": "length",
                "criteria": "<=",
                "value": 200,
                "input_title": label,
                "input_message": prompt,
            },
        )
    sheet.write_string(COVER.signoff_date - 1, 1, layout.SIGNOFF_DATE, f.label)
    sheet.write_blank(COVER.signoff_date - 1, 2, None, f.input_date)
    sheet.data_validation(
        COVER.signoff_date - 1,
        2,
        COVER.signoff_date - 1,
        2,
        {
            "validate": "date",
            "criteria": "between",
            "minimum": dt.date(2000, 1, 1),
            "maximum": dt.date(2099, 12, 31),
            "input_title": "Date of sign-off",
            "input_message": "The date the return was approved, such as 14/07/2025.",
            "error_title": "Not a date",
            "error_message": "Type a date such as 14/07/2025.",
        },
    )
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 1)


def _write_checks(
    workbook: Any,
    sheet: Any,
    dplan: DirectoratePlan,
    ctx: Context,
    f: _Formats,
    counts: dict[str, int],
) -> None:
    quarter = ctx.quarter
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 58)
    sheet.set_column(2, 2, 10)
    sheet.set_column(3, 3, 40)
    sheet.hide_gridlines(2)
    sheet.write_string(0, 0, "Checks", f.title)
    sheet.merge_range(
        1,
        0,
        1,
        3,
        "These counts update as you type. When every count is 0, Ready "
        "to submit shows YES and the return can be sent.",
        f.intro,
    )
    sheet.set_row(1, 30)
    for col, title in enumerate(("Sheet", "What is checked", "Count", "Rule")):
        sheet.write_string(3, col, title, f.header)
    initial = _initial_counts(dplan, quarter)
    r0 = 4
    for check in layout.CHECKS:
        spec = layout.SHEETS[check.sheet]
        n = counts[check.sheet]
        if n:
            formula = "=" + check.formula(
                lambda k, s=spec, n=n: s.range_of(k, n), quarter.end_date, quarter.number
            )
        else:
            formula = "=0"
        sheet.write_string(r0, 0, check.sheet, f.text)
        sheet.write_string(r0, 1, check.label, f.text)
        sheet.write_formula(r0, 2, formula, f.count, initial.get((check.sheet, check.code), 0))
        sheet.write_string(r0, 3, check.code, f.text)
        r0 += 1
    completed, approved, signed = (
        COVER.ref(COVER.completed_by),
        COVER.ref(COVER.approved_by),
        COVER.ref(COVER.signoff_date),
    )
    signoff_formulas = {
        "signoff-missing": f"=(LEN(TRIM({completed}))=0)+(LEN(TRIM({approved}))=0)",
        "signoff-same-person": (
            f"=IF(AND(LEN(TRIM({completed}))>0,"
            f"LOWER(TRIM({completed}))=LOWER(TRIM({approved}))),1,0)"
        ),
        "signoff-date": f"=IF(ISNUMBER({signed}),0,1)",
    }
    for code, label in layout.SIGNOFF_CHECKS:
        sheet.write_string(r0, 0, "Cover", f.text)
        sheet.write_string(r0, 1, label, f.text)
        sheet.write_formula(r0, 2, signoff_formulas[code], f.count, initial.get(("Cover", code), 0))
        sheet.write_string(r0, 3, code, f.text)
        r0 += 1
    last = r0
    sheet.write_string(r0 + 1, 1, "Ready to submit", f.label)
    sheet.write_formula(r0 + 1, 2, f'=IF(SUM(C5:C{last})=0,"YES","NO")', f.big, "NO")
    for word, fill in (("YES", "#C6EFCE"), ("NO", "#FFC7CE")):
        sheet.conditional_format(
            r0 + 1,
            2,
            r0 + 1,
            2,
            {
                "type": "cell",
                "criteria": "==",
                "value": f'"{word}"',
                "format": workbook.add_format({"bg_color": fill}),
            },
        )
    sheet.conditional_format(
        4,
        2,
        last - 1,
        2,
        {
            "type": "cell",
            "criteria": ">",
            "value": 0,
            "format": workbook.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"}),
        },
    )
    workbook.define_name("ReadyToSubmit", f"=Checks!$C${r0 + 2}")
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 1)


def _initial_counts(dplan: DirectoratePlan, quarter: Quarter) -> dict[tuple[str, str], int]:
    """The Checks counts of a blank return: cached values for programs that do not recalculate."""
    due = sum(1 for m in dplan.measures if m.is_due(quarter))
    return {
        ("Measures", "value-missing"): due,
        ("Actions", "value-missing"): len(dplan.actions),
        ("Savings", "value-missing"): 2 * len(dplan.savings),
        ("Risks", "value-missing"): 2 * len(dplan.risks),
        ("Cover", "signoff-missing"): 2,
        ("Cover", "signoff-date"): 1,
    }


def _write_meta(
    sheet: Any,
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
        r0 = META_TABLE_ROW + offset
        sheet.write_string(r0, 0, name)
        sheet.write_number(r0, 1, row1)
        sheet.write_string(r0, 2, item_id)
        sheet.write_string(r0, 3, hashes)
    sheet.very_hidden()
