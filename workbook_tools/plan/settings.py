"""The register's Settings sheet: the council, the year, the savings target, the tolerance and
the return deadline, each checked."""

from __future__ import annotations

from typing import Any

from workbook_tools.errors import UsageError
from workbook_tools.files.cells import is_blank, to_number
from workbook_tools.plan.columns import (
    SETTING_COUNCIL,
    SETTING_COVER_NOTE,
    SETTING_DEADLINE,
    SETTING_TARGET,
    SETTING_TOLERANCE,
    SETTING_YEAR,
    SETTINGS_DEFAULTS,
    SETTINGS_ROWS,
    RegisterSheet,
)
from workbook_tools.plan.model import PlanProblem, Settings
from workbook_tools.plan.rows import LARGEST, SheetRows, norm
from workbook_tools.quarters import parse_year, year_label

#: The most days after a quarter's end its returns may be due: a year.
MOST_DAYS = 366


def settings_from(table: SheetRows) -> Settings | None:
    """The Settings sheet's values, or None (with its problems recorded) when one is missing or
    unreadable; the tolerance and deadline have defaults."""
    if "Setting" not in table.columns or "Value" not in table.columns:
        return None
    values: dict[str, Any] = {}
    rows: dict[str, int] = {}
    for row, record in table.records():
        name = table.text(row, record, "Setting", required=False)
        for known in (*SETTINGS_ROWS, SETTING_COVER_NOTE):
            if norm(known) == norm(name):
                values[known] = table.raw(record, "Value")
                rows[known] = row
    value_col = table.columns["Value"]
    missing = False
    for name in SETTINGS_ROWS:
        if is_blank(values.get(name)):
            if name in SETTINGS_DEFAULTS:
                values[name] = SETTINGS_DEFAULTS[name]
                continue
            where = rows.get(name)
            if where:
                table.problem(where, value_col, f"the setting '{name}' has no value")
            else:
                table.problems.append(
                    PlanProblem(RegisterSheet.SETTINGS, "", f"the setting '{name}' is missing")
                )
            missing = True
    numbers: dict[str, float] = {}
    for name in (SETTING_TARGET, SETTING_TOLERANCE, SETTING_DEADLINE):
        if is_blank(values.get(name)):
            continue
        number = to_number(values[name])
        if number is None or number < 0:
            table.problem(
                rows.get(name, 0),
                value_col,
                f"the setting '{name}' must be a number of zero or more, not '{values[name]}'",
            )
            missing = True
        elif number > (most := MOST_DAYS if name == SETTING_DEADLINE else LARGEST):
            table.problem(rows.get(name, 0), value_col,
                          f"the setting '{name}' is {number:,.6g}: it can be at most {most:,.0f}")
            missing = True
        else:
            numbers[name] = number
    year = "" if is_blank(values.get(SETTING_YEAR)) else str(values[SETTING_YEAR]).strip()
    if year:
        try:
            year = year_label(parse_year(year))
        except UsageError:
            table.problem(
                rows.get(SETTING_YEAR, 0),
                value_col,
                f"the financial year '{year}' should look like 2025-26",
            )
            missing = True
    if missing:
        return None
    return Settings(
        council_name=str(values[SETTING_COUNCIL]).strip(),
        financial_year=year,
        savings_target=numbers[SETTING_TARGET],
        amber_tolerance=numbers[SETTING_TOLERANCE],
        deadline_days=int(numbers[SETTING_DEADLINE]),
        cover_note=""
        if is_blank(values.get(SETTING_COVER_NOTE))
        else str(values[SETTING_COVER_NOTE]),
    )
