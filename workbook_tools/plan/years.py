"""Which register serves a quarter (SPEC sections 3 and 4): a register is for one financial year.

`templates/plan.xlsx` is this year's; `plan roll` keeps earlier years' as
`templates/plan-<YEAR>.xlsx`. Every command that takes a quarter uses the register of that
quarter's year, and says plainly when there is none.
"""

from __future__ import annotations

import re
from pathlib import Path

from workbook_tools.errors import ConfigurationError
from workbook_tools.plan.register import Plan, load_plan
from workbook_tools.quarters import Quarter, parse_year, year_label

_KEPT = re.compile(r"^plan-(\d{4}-\d{2})\.xlsx$", re.IGNORECASE)


def kept_register(current: Path, year: str) -> Path:
    """Where `plan roll` keeps the register for `year` ('2025-26'): beside the current one."""
    return current.with_name(f"plan-{year}.xlsx")


def years_held(current: Path, current_year: str | None) -> list[str]:
    """The financial years the registers in `current`'s folder are for, earliest first."""
    years = {current_year} if current_year else set()
    if current.parent.is_dir():
        for path in current.parent.iterdir():
            match = _KEPT.match(path.name)
            if match:
                years.add(match.group(1))
    return sorted(years)


def plan_for_quarter(quarter: Quarter, current: Path, explicit: bool = False,
                     items: bool | str = True) -> Plan:
    """The register for `quarter`'s financial year.

    Args:
        current: the register given with --plan (`explicit`), else templates/plan.xlsx.
        explicit: the user named the register: it must be for the quarter's year.
        items: False loads only settings, themes, objectives and directorates;
            BY_DIRECTORATE, the items a directorate at a time (load_plan).

    Raises:
        ConfigurationError: no register for that year (the sentence names the years held and
            how to start the year), or the register named is for another year.
        PlanError: the register has problems.
    """
    wanted = quarter.year_label
    plan = load_plan(current, items)
    have = plan.settings.financial_year
    if have == wanted:
        return plan
    if explicit:
        raise ConfigurationError(
            f"{current}: is the register for {have}, not {wanted}, so it cannot serve "
            f"{quarter}; give the {wanted} register with --plan.")
    kept = kept_register(current, wanted)
    if kept.exists():
        older = load_plan(kept, items)
        if older.settings.financial_year != wanted:
            raise ConfigurationError(
                f"{kept}: its Financial year setting is {older.settings.financial_year}, not "
                f"{wanted}; correct the setting or the file's name.")
        return older
    held = years_held(current, have)
    listed = ", ".join(held)
    start = parse_year(have)
    if quarter.start_year == start + 1:
        advice = (f"to start {wanted} from {have}'s register, run 'workbook-tools plan roll "
                  f"--to {wanted}'")
    else:
        advice = (f"check the quarter, or save {wanted}'s register as {kept.name} in "
                  f"{current.parent}" + (f" (the next year is started with 'workbook-tools "
                                         f"plan roll --to {year_label(start + 1)}')"
                                         if quarter.start_year > start else ""))
    raise ConfigurationError(
        f"{current.parent}: there is no plan register for {wanted} (the registers here are for "
        f"{listed}); {advice}.")
