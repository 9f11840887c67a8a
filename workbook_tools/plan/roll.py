"""`plan roll`: next year's register from this year's (SPEC sections 1 and 5).

This year's register is kept as `plan-<THIS YEAR>.xlsx` beside it and next year's is written in
its place: measures carried with their targets (listed for review), actions not Complete or
Cancelled at the year end carried with their revised due dates, each saving's undelivered amount
(target less its latest forecast, where positive) carried as a new line marked `Carried forward
from`, the programme target set to the carried total (for review), risks carried with their
latest likelihood and impact. A `Review` sheet lists what to look at; the officer deletes it when
done. What the year left is read from the master by master/year_end.py into a `YearEnd`.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbook_tools.errors import ConfigurationError, UsageError
from workbook_tools.files.beside import temporary_for
from workbook_tools.files.cells import is_blank, pounds, to_date
from workbook_tools.plan.columns import RegisterSheet
from workbook_tools.plan.register import (
    SETTING_TARGET,
    SETTING_YEAR,
    Plan,
    check_plan,
    load_plan_and_rows,
)
from workbook_tools.plan.vocabulary import ActionStatus
from workbook_tools.quarters import parse_year, year_label

CARRIED = "Carried forward from"
REVIEW_SHEET = "Review"
REVIEW_HEADER = ["Sheet", "ID", "Item", "To review"]
FINISHED = (ActionStatus.COMPLETE.value, ActionStatus.CANCELLED.value)
SAVINGS_HEADER = ["Saving ID", "Directorate code", "Objective code", "Saving proposal", "Type",
                  "Target (£)", CARRIED]


@dataclass(frozen=True)
class ActionEnd:
    quarter: str
    status: str
    revised_due: Any  # a date, or None


@dataclass(frozen=True)
class SavingEnd:
    quarter: str
    forecast: float | None
    delivered: float | None


@dataclass(frozen=True)
class RiskEnd:
    quarter: str
    likelihood: int | None
    impact: int | None


@dataclass
class YearEnd:
    """Where each item stood at the end of `year`: its row in its latest quarter of the year."""

    year: str
    latest_quarter: str
    actions: dict[str, ActionEnd] = field(default_factory=dict)
    savings: dict[str, SavingEnd] = field(default_factory=dict)
    risks: dict[str, RiskEnd] = field(default_factory=dict)


@dataclass
class RollResult:
    """What `plan roll` kept, wrote and carried; `review` holds the Review sheet's rows."""

    kept: Path
    written: Path
    from_year: str
    to_year: str
    measures: int = 0
    actions: list[str] = field(default_factory=list)
    actions_finished: int = 0
    savings: list[tuple[str, str, float]] = field(default_factory=list)  # new ID, from ID, £
    programme_target: float = 0.0
    risks: int = 0
    review: list[list[Any]] = field(default_factory=list)


def check_roll(plan: Plan, to_year: str) -> str:
    """This year's label, when `to_year` is the year after the register's.

    Raises:
        UsageError: it is not the next year.
    """
    this = plan.settings.financial_year
    following = year_label(parse_year(this) + 1)
    wanted = year_label(parse_year(to_year))
    if wanted != following:
        raise UsageError(
            f"{plan.path}: is the register for {this}, so it rolls into {following}, not "
            f"{wanted}; run 'workbook-tools plan roll --to {following}'.")
    return this


def roll_plan(current: Path, to_year: str, year_end: YearEnd, force: bool = False,
              today: dt.date | None = None,
              loaded: tuple[Plan, dict[str, list[list[Any]]]] | None = None) -> RollResult:
    """Keep `current` as plan-<THIS YEAR>.xlsx beside it and write next year's register there.

    Args:
        loaded: `current`'s plan and rows as `load_plan_and_rows` gave them, when the caller
            has read them already (the CLI checks the year before it reads the master).

    Raises:
        UsageError: `to_year` is not the year after the register's.
        ConfigurationError: the kept register exists (and not `force`); the register or the
            new one has problems; a file cannot be written. Nothing is changed then.
        PlanError: the register has problems.
    """
    current = Path(current)
    plan, raw = loaded or load_plan_and_rows(current)  # one read: the rows are rewritten below
    this = check_roll(plan, to_year)
    nxt = year_label(parse_year(to_year))
    if year_end.year != this:
        raise ConfigurationError(f"the master's figures are for {year_end.year}, not {this}.")
    kept = current.with_name(f"plan-{this}.xlsx")
    if kept.exists() and not force:
        raise ConfigurationError(
            f"{kept}: is already kept, so {this} was rolled before; check which register is "
            f"current, or run again with --force to replace the kept one with {current.name}. "
            f"Nothing was changed.")
    result = RollResult(kept, current, this, nxt)
    sheets = _next_sheets(raw, plan, year_end, result)
    _write_checked(sheets, current, kept)
    return result


def _next_sheets(raw: dict[str, list[list[Any]]], plan: Plan, ye: YearEnd,
                 result: RollResult) -> dict[str, list[list[Any]]]:
    by_name = {name.strip().casefold(): name for name in raw}
    sheets: dict[str, list[list[Any]]] = {}
    for name, rows in raw.items():
        if name.strip().casefold() != REVIEW_SHEET.casefold():  # last year's review is done
            sheets[name] = [list(r) for r in rows]
    result.measures = len(plan.measures)
    for measure in plan.measures:
        targets = ", ".join(f"Q{n} {_shown(t)}" for n, t in enumerate(measure.targets, 1)
                            if t is not None) or "none"
        result.review.append([RegisterSheet.MEASURES, measure.id, measure.name,
                              f"Targets carried from {result.from_year} ({targets}); set "
                              f"{result.to_year}'s."])
    _carry_actions(sheets[by_name["actions"]], plan, ye, result)
    sheets[by_name["savings"]] = _carry_savings(plan, ye, result)
    _carry_risks(sheets[by_name["risks"]], ye, result)
    _settings(sheets[by_name["settings"]], result)
    sheets[REVIEW_SHEET] = [REVIEW_HEADER, *result.review]
    return sheets


def _column(rows: list[list[Any]], header: str, add: bool = False) -> int:
    """The index of a header in row 1 (added at the end when `add`; -1 when absent)."""
    names = [str(h).strip().casefold() if not is_blank(h) else "" for h in rows[0]]
    if header.casefold() in names:
        return names.index(header.casefold())
    if not add:
        return -1
    rows[0] = [*rows[0], header]
    return len(rows[0]) - 1


def _cell(row: list[Any], index: int) -> Any:
    return row[index] if 0 <= index < len(row) else None


def _put(row: list[Any], index: int, value: Any) -> None:
    while len(row) <= index:
        row.append(None)
    row[index] = value


def _carry_actions(rows: list[list[Any]], plan: Plan, ye: YearEnd, result: RollResult) -> None:
    id_col, due_col = _column(rows, "Action ID"), _column(rows, "Due date")
    carried_col = _column(rows, CARRIED, add=True)
    names = {a.id: a.name for a in plan.actions}
    kept = [rows[0]]
    for row in rows[1:]:
        item = "" if is_blank(_cell(row, id_col)) else str(_cell(row, id_col)).strip()
        if not item:
            continue
        end = ye.actions.get(item)
        if end is not None and end.status in FINISHED:
            result.actions_finished += 1
            continue
        was = to_date(_cell(row, due_col))
        revised = to_date(end.revised_due) if end is not None and end.revised_due else None
        _put(row, due_col, revised or was)
        _put(row, carried_col, result.from_year)
        kept.append(row)
        result.actions.append(item)
        where = (f"{end.status or 'no status'} at {end.quarter}" if end is not None
                 else f"no row in the master for {result.from_year}")
        due = f"due {_shown(was)}" + (f", revised to {_shown(revised)}" if revised else "")
        result.review.append([RegisterSheet.ACTIONS, item, names.get(item, ""),
                              f"Carried from {result.from_year}: {where}; {due}."])
    rows[:] = kept


def _carry_savings(plan: Plan, ye: YearEnd, result: RollResult) -> list[list[Any]]:
    rows: list[list[Any]] = [list(SAVINGS_HEADER)]
    taken = {s.id.casefold() for s in plan.savings}
    suffix = f"-CF{parse_year(result.from_year) % 100:02d}"
    for saving in plan.savings:
        end = ye.savings.get(saving.id)
        forecast = end.forecast if end is not None else None
        undelivered = round(saving.target - (forecast or 0.0), 2)
        if undelivered <= 0:
            continue
        new_id = re.sub(r"-CF\d{2}$", "", saving.id) + suffix
        while new_id.casefold() in taken:
            new_id += "X"
        taken.add(new_id.casefold())
        rows.append([new_id, saving.directorate_code, saving.objective_code, saving.name,
                     saving.type, undelivered, result.from_year])
        result.savings.append((new_id, saving.id, undelivered))
        where = (f"forecast {pounds(forecast)} at {end.quarter}" if end is not None and
                 forecast is not None else f"no forecast in the master for {result.from_year}")
        result.review.append([RegisterSheet.SAVINGS, new_id, saving.name,
                              f"{pounds(undelivered)} undelivered of {saving.id}'s "
                              f"{pounds(saving.target)} target ({where}); confirm or rephase."])
    result.programme_target = round(sum(amount for *_, amount in result.savings), 2)
    return rows


def _carry_risks(rows: list[list[Any]], ye: YearEnd, result: RollResult) -> None:
    id_col = _column(rows, "Risk ID")
    columns = (_column(rows, "Likelihood"), _column(rows, "Impact"))
    for row in rows[1:]:
        item = "" if is_blank(_cell(row, id_col)) else str(_cell(row, id_col)).strip()
        if not item:
            continue
        result.risks += 1
        end = ye.risks.get(item)
        if end is None:
            continue
        for col, score in zip(columns, (end.likelihood, end.impact), strict=True):
            if score is not None:
                _put(row, col, score)


def _settings(rows: list[list[Any]], result: RollResult) -> None:
    for row in rows[1:]:
        name = "" if is_blank(_cell(row, 0)) else str(row[0]).strip().casefold()
        if name == SETTING_YEAR.casefold():
            _put(row, 1, result.to_year)
        elif name == SETTING_TARGET.casefold():
            _put(row, 1, result.programme_target)
    result.review.insert(0, [
        RegisterSheet.SETTINGS, "", SETTING_TARGET,
        f"Set to the {pounds(result.programme_target)} carried from {result.from_year} "
        f"({len(result.savings)} lines); add {result.to_year}'s new proposals on Savings and "
        f"raise the target to match."])


def _shown(value: Any) -> str:
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, float) and value.is_integer():
        return f"{value:.0f}"
    return "" if value is None else str(value)


def _write_checked(sheets: dict[str, list[list[Any]]], current: Path, kept: Path) -> None:
    """Write the new register beside the current one, check it as `plan check` does, keep the
    current one, then swap the new one in."""
    from workbook_tools.plan.examples import write_register

    temporary = temporary_for(current)
    try:
        write_register(sheets, temporary, {"Saving ID": 16})  # IDs such as S-ASCH-01-CF25
        _, problems = check_plan(temporary)
        if problems:
            raise ConfigurationError(
                f"{current}: next year's register would not pass plan check ({problems[0]}); "
                f"correct this year's and run again. Nothing was changed.")
        shutil.copy2(current, kept)
        os.replace(temporary, current)
    except OSError as exc:
        raise ConfigurationError(f"{exc.filename or current}: cannot be written "
                                 f"({exc.strerror or exc}). Nothing was changed.") from None
    finally:
        temporary.unlink(missing_ok=True)
