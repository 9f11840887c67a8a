"""What may be typed into a return's input cells: validations with an input message, drop-down
lists, and red highlighting of a value the Checks sheet counts as wrong, as soon as it is typed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from workbook_tools.files.cells import cell_ref, column_letter
from workbook_tools.quarters import Quarter
from workbook_tools.returns import layout
from workbook_tools.returns.layout import Column, Kind, Sheet, SheetLayout
from workbook_tools.returns.rules.inputs import CHECKS, formula_of
from workbook_tools.returns.style import Styles


def problem_formulas(spec: SheetLayout, quarter: Quarter, row1: int,
                     sheet_prefix: str = "") -> list[tuple[str, str]]:
    """(column key, formula) for each way a row's input can be wrong, from the rule registry's
    checks that are shown in red as typed (a missing value is not: a blank return would be all
    red): nonzero while it is. The Checks sheet counts the same formulas over whole columns.

    `sheet_prefix` (such as "'Measures'!") qualifies the references for use on another sheet.
    """
    refs = {c.key: f"{sheet_prefix}{spec.letter(c.key)}{row1}" for c in spec.columns}
    return [(check.column, formula_of(check, refs, quarter.number)) for check in CHECKS
            if check.sheet == spec.name and check.highlight]


def highlight_problems(sheet: Any, spec: SheetLayout, quarter: Quarter, first0: int,
                       last0: int, styles: Styles) -> None:
    """Colour an input red while it holds something the Checks sheet counts as wrong."""
    for key, formula in problem_formulas(spec, quarter, first0 + 1):
        col = spec.index(key)
        sheet.conditional_format(first0, col, last0, col, {
            "type": "formula",
            "criteria": "=" + formula,
            "format": styles.fill("#FFC7CE", font_color="#9C0006"),
        })


def add_validations(
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
        elif column.kind is Kind.NUMBER and spec.name == Sheet.MEASURES:
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
    prompts = {
        "%": "Type this quarter's figure as a number from 0 to 100: 85.5 for 85.5%.",
        "min0": "Type this quarter's figure as a number, zero or more, without a £ sign or units.",
        "any": "Type this quarter's figure as a number.",
    }
    for kind, refs in groups.items():
        first = refs[0]
        sheet.data_validation(
            first,
            {
                **rules_by_kind[kind],
                **prompt,
                "input_message": prompts[kind],
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
