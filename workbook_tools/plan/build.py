"""Building a `Plan` from the register's rows: one function per sheet turns a row into its
item, checking its codes against the sheets before it; every problem is kept, by cell."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbook_tools.plan import bulk, checks
from workbook_tools.plan.columns import ITEM_SHEETS, REGISTER_SHEETS, RegisterSheet
from workbook_tools.plan.model import (
    Action,
    Directorate,
    Measure,
    Objective,
    Plan,
    PlanProblem,
    Risk,
    Saving,
    Theme,
)
from workbook_tools.plan.rows import SheetRows, norm
from workbook_tools.plan.settings import settings_from
from workbook_tools.plan.vocabulary import (
    FREQUENCIES,
    HIGHER_IS_BETTER,
    MEASURE_TYPES,
    POLARITIES,
    SAVING_TYPES,
    SNAPSHOT,
    UNITS,
)


@dataclass
class Codes:
    """The codes the register defines, which later sheets' rows must use."""

    themes: set[str]
    directorates: set[str]
    objectives: set[str]


Builder = Callable[[SheetRows, int, list[Any], Codes], Any]
Bulk = Callable[[SheetRows, set[str], set[str]], list[Any]]


def plan_from_rows(
    sheets: dict[str, list[list[Any]]], path: Path | None = None, items: bool = True
) -> tuple[Plan | None, list[PlanProblem]]:
    """The plan from a register's rows by sheet, and every problem in it (no plan if any)."""
    problems: list[PlanProblem] = []
    by_name = {norm(name): name for name in sheets}
    tables: dict[str, SheetRows] = {}
    for name in REGISTER_SHEETS:
        actual = by_name.get(norm(name))
        if not items and name in ITEM_SHEETS:
            tables[name] = SheetRows(name, [], [])  # not read: no items, no problems
        elif actual is None:
            problems.append(PlanProblem(name, "", f"the sheet '{name}' is missing"))
            tables[name] = SheetRows(name, [[c.header for c in REGISTER_SHEETS[name]]], [])
        else:
            tables[name] = SheetRows(name, sheets[actual], problems)

    settings = settings_from(tables[RegisterSheet.SETTINGS])
    codes = Codes(set(), set(), set())
    themes = build_items(tables[RegisterSheet.THEMES], "Theme code", theme, codes)
    directorates = build_items(tables[RegisterSheet.DIRECTORATES], "Directorate code",
                               directorate, codes)
    codes.themes = {t.code for t in themes}
    codes.directorates = {d.code for d in directorates}
    objectives = build_items(tables[RegisterSheet.OBJECTIVES], "Objective code", objective, codes)
    codes.objectives = {o.code for o in objectives}
    measures = build_items(tables[RegisterSheet.MEASURES], "Measure ID", measure, codes,
                           bulk.measures)
    actions = build_items(tables[RegisterSheet.ACTIONS], "Action ID", action, codes, bulk.actions)
    savings = build_items(tables[RegisterSheet.SAVINGS], "Saving ID", saving, codes, bulk.savings)
    risks = build_items(tables[RegisterSheet.RISKS], "Risk ID", risk, codes, bulk.risks)
    if not directorates and RegisterSheet.DIRECTORATES in by_name.values():
        problems.append(PlanProblem(RegisterSheet.DIRECTORATES, "A2",
                                    "the register has no directorates"))
    if problems or settings is None:
        return None, problems
    return Plan(
        settings,
        tuple(themes),
        tuple(objectives),
        tuple(directorates),
        tuple(measures),
        tuple(actions),
        tuple(savings),
        tuple(risks),
        path,
    ), problems


def build_items(table: SheetRows, id_header: str, build: Builder, codes: Codes,
                bulk: Bulk | None = None) -> list[Any]:
    """Every non-blank row of a sheet as an item, each ID unique in the sheet. `bulk` reads the
    plainly sound rows a column at a time; `build` reads the others cell by cell, with their
    problems (in row order, as `plan check` lists them)."""
    if id_header not in table.columns:
        return []
    records = table.records()
    if bulk is None:
        return ordered(table, id_header, build, codes, records, [None] * len(records))
    quick = bulk(table, codes.directorates, codes.objectives)
    idents = [table.text(row, values, id_header, required=False) if item is None else item.id
              for (row, values), item in zip(records, quick, strict=True)]
    keys = [ident.casefold() for ident in idents if ident]
    if len(set(keys)) < len(keys):  # a duplicate: its problem goes between its row's others
        return ordered(table, id_header, build, codes, records, quick)
    for index, item in enumerate(quick):
        if item is None:
            quick[index] = build(table, *records[index], codes)
    return quick


def ordered(table: SheetRows, id_header: str, build: Builder, codes: Codes,
            records: list[tuple[int, list[Any]]], quick: list[Any]) -> list[Any]:
    """The items row by row, each row's problems and then its ID's (if a duplicate)."""
    seen: dict[str, tuple[int, str]] = {}
    items = []
    for (row, values), item in zip(records, quick, strict=True):
        if item is None:
            item = build(table, row, values, codes)
        table.unique(seen, row, id_header, table.text(row, values, id_header, required=False))
        items.append(item)
    return items


def theme(t: SheetRows, r: int, v: list[Any], codes: Codes) -> Theme:
    return Theme(t.text(r, v, "Theme code"), t.text(r, v, "Theme"))


def directorate(t: SheetRows, r: int, v: list[Any], codes: Codes) -> Directorate:
    return Directorate(
        t.text(r, v, "Directorate code"),
        t.text(r, v, "Directorate"),
        t.text(r, v, "Director"),
        t.text(r, v, "Contact email"),
    )


def objective(t: SheetRows, r: int, v: list[Any], codes: Codes) -> Objective:
    item = Objective(
        t.text(r, v, "Objective code"),
        t.text(r, v, "Theme code"),
        t.text(r, v, "Objective"),
        t.text(r, v, "Lead directorate"),
    )
    t.known(r, "Theme code", item.theme_code, codes.themes, "theme code")
    t.known(r, "Lead directorate", item.lead_directorate, codes.directorates, "directorate code")
    return item


def owner(
    t: SheetRows, r: int, v: list[Any], codes: Codes, objective_required: bool = True
) -> tuple[str, str]:
    """An item's directorate and objective codes, each one the register defines."""
    directorate = t.text(r, v, "Directorate code")
    t.known(r, "Directorate code", directorate, codes.directorates, "directorate code")
    code = (
        t.text(r, v, "Objective code", objective_required)
        if "Objective code" in t.columns
        else ""
    )
    t.known(r, "Objective code", code, codes.objectives, "objective code")
    return directorate, code


def measure(t: SheetRows, r: int, v: list[Any], codes: Codes) -> Measure:
    directorate, code = owner(t, r, v, codes)
    frequency = t.choice(r, v, "Frequency", FREQUENCIES) or "Quarterly"
    targets = (t.number(r, v, "Q1 target", required=False),
               t.number(r, v, "Q2 target", required=False),
               t.number(r, v, "Q3 target", required=False),
               t.number(r, v, "Q4 target", required=False))
    measure_type = t.choice(r, v, "Measure type", MEASURE_TYPES, required=False) or SNAPSHOT
    checks.check_targets(t, r, v, frequency, measure_type, targets)
    tolerance = t.number(r, v, "Amber tolerance (%)", required=False)
    checks.check_tolerance(t, r, tolerance)
    return Measure(
        t.text(r, v, "Measure ID"),
        code,
        directorate,
        t.text(r, v, "Measure"),
        t.choice(r, v, "Unit", UNITS) or "number",
        t.choice(r, v, "Polarity", POLARITIES) or HIGHER_IS_BETTER,
        frequency,
        targets,
        tolerance,
        measure_type,
    )


def action(t: SheetRows, r: int, v: list[Any], codes: Codes) -> Action:
    directorate, code = owner(t, r, v, codes)
    return Action(
        t.text(r, v, "Action ID"),
        code,
        directorate,
        t.text(r, v, "Action"),
        t.text(r, v, "Lead officer"),
        t.date(r, v, "Due date"),
    )


def saving(t: SheetRows, r: int, v: list[Any], codes: Codes) -> Saving:
    directorate, code = owner(t, r, v, codes, objective_required=False)
    target = t.number(r, v, "Target (£)")
    carried = t.text(r, v, "Carried forward from", required=False)
    checks.check_saving(t, r, target, carried)
    return Saving(
        t.text(r, v, "Saving ID"),
        directorate,
        code or None,
        t.text(r, v, "Saving proposal"),
        t.choice(r, v, "Type", SAVING_TYPES, required=False),
        target or 0.0,
        carried,
    )


def risk(t: SheetRows, r: int, v: list[Any], codes: Codes) -> Risk:
    directorate, _ = owner(t, r, v, codes, objective_required=False)
    likelihood = checks.risk_score(t, r, v, "Likelihood")
    impact = checks.risk_score(t, r, v, "Impact")
    return Risk(
        t.text(r, v, "Risk ID"),
        directorate,
        t.text(r, v, "Risk"),
        t.text(r, v, "Owner"),
        likelihood,
        impact,
    )
