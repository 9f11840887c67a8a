"""The plan register: load and check it. `load_plan` returns a `Plan` or raises with every
problem by sheet and cell; `check_plan` returns them. The model is in `plan/model.py`, the
sheets and columns in `plan/columns.py`, reading in `plan/rows.py`, building and checking in
`plan/build.py`, `plan/settings.py` and `plan/checks.py`; the names callers use are here too."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbook_tools.collector import paused
from workbook_tools.errors import ConfigurationError, PlanError, UnreadableFileError, about_file
from workbook_tools.files.memory import give_back_memory
from workbook_tools.plan.cache import Entry
from workbook_tools.plan.columns import (
    ITEM_SHEETS,
    REGISTER_SHEETS,
    SETTING_COUNCIL,
    SETTING_COVER_NOTE,
    SETTING_DEADLINE,
    SETTING_TARGET,
    SETTING_TOLERANCE,
    SETTING_YEAR,
    SETTINGS_DEFAULTS,
    SETTINGS_ROWS,
    RegisterColumn,
)
from workbook_tools.plan.model import (
    Action,
    Directorate,
    DirectoratePlan,
    Measure,
    Objective,
    Plan,
    PlanProblem,
    Risk,
    Saving,
    Settings,
    Theme,
)

if TYPE_CHECKING:
    from workbook_tools.plan.build import plan_from_rows
    from workbook_tools.plan.rows import read_register_rows

#: `load_plan`'s items for a plan whose items are read a directorate at a time when the cache
#: holds them so (plan/bydirectorate.py)
BY_DIRECTORATE = "by directorate"


def __getattr__(name: str) -> Any:
    """`plan_from_rows` and `read_register_rows`, imported when first used: a command whose
    plan comes from the cache (plan/cache.py) never reads or builds one, and its start, while
    the other cores wait, is 8 ms shorter without plan/build.py, bulk.py, checks.py and
    rows.py."""
    found: Any
    if name == "plan_from_rows":
        from workbook_tools.plan import build as found
    elif name == "read_register_rows":
        from workbook_tools.plan import rows as found
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = getattr(found, name)
    return globals()[name]


def _part(name: str) -> Any:
    """One of the names `__getattr__` imports when first used (or a test's stand-in)."""
    return globals()[name] if name in globals() else __getattr__(name)


@about_file("path")
def load_plan(path: str | Path, items: bool | str = True) -> Plan:
    """Load and check a register.

    Args:
        items: False reads and checks only the settings, themes, objectives and directorates,
            and leaves the plan's measures, actions, savings and risks empty: all a command
            needs that only reads the year or the directorates. BY_DIRECTORATE: the whole
            register checked, its items read a directorate at a time when the cache holds
            them so (a `PlanByDirectorate`, plan/bydirectorate.py), else the whole plan: for
            the commands that compare each return with its own directorate's items.

    Raises:
        ConfigurationError: the file is missing or not a readable workbook.
        PlanError: the register has problems (each with sheet and cell).
    """
    plan, problems = check_plan(path, items)
    if problems or plan is None:
        raise PlanError(path, problems)
    return plan


def check_plan(path: str | Path, items: bool | str = True
               ) -> tuple[Plan | None, list[PlanProblem]]:
    """Every problem in a register (in its item sheets too unless `items` is False), and the
    plan when there are none: from the cache when these very bytes were loaded before
    (plan/cache.py), else read and checked, and kept there when sound."""
    if not isinstance(items, bool):
        if items != BY_DIRECTORATE:
            raise ValueError(f"items: {items!r}")
        return _by_directorate(Path(path))
    entry = Entry.of(Path(path), items)
    if entry is not None:
        with paused():
            plan = entry.recall()
        if plan is not None:
            return plan, []
    _, plan, problems = read_and_check(path, items)
    if entry is not None and plan is not None and not problems:
        with paused():
            entry.keep(plan)
    # the register's cells and the cache entry's text are gone: their pages go back to the
    # system rather than staying in this process and every worker forked from it (a
    # 240,000-item register read afresh: 269 -> 204 MB)
    give_back_memory()
    return plan, problems


def _by_directorate(path: Path) -> tuple[Plan | None, list[PlanProblem]]:
    """The plan with its items read a directorate at a time, when the cache holds them so for
    these bytes; else the whole plan, loaded as usual, and the entry kept for next time."""
    from workbook_tools.plan import bydirectorate

    entry = Entry.of(path, True)
    if entry is not None:
        with paused():
            plan = bydirectorate.recall(entry)
        if plan is not None:
            return plan, []
    whole, problems = check_plan(path, True)
    if entry is not None and whole is not None:
        with paused():
            bydirectorate.keep(entry)  # (from the plan's entry for these very bytes, if kept)
        give_back_memory()
    return whole, problems


@about_file("path")
def load_plan_and_rows(path: str | Path) -> tuple[Plan, dict[str, list[list[Any]]]]:
    """The plan, as `load_plan`, and the register's rows it was built from, read once (for
    `plan roll`, which rewrites them)."""
    sheets, plan, problems = read_and_check(path)
    if problems or plan is None:
        raise PlanError(path, problems)
    return plan, sheets


def read_and_check(path: str | Path, items: bool = True
                   ) -> tuple[dict[str, list[list[Any]]], Plan | None, list[PlanProblem]]:
    """A register's rows by sheet, its plan (None if it has problems) and its problems."""
    path = Path(path)
    if not path.exists():
        raise ConfigurationError(
            f"{path}: no plan register here. Run 'workbook-tools init DIR' or give --plan FILE."
        )
    if path.is_dir():
        raise ConfigurationError(
            f"{path}: is a folder, not a plan register; give the register's .xlsx file."
        )
    with paused():
        try:
            sheets = _part("read_register_rows")(path, items)
        except UnreadableFileError as exc:
            reason = exc.reason.split(";")[0]
            advice = (
                "restore a saved copy, or start again with 'workbook-tools init DIR'"
                if exc.code in ("file-corrupt", "file-empty")
                else "save it from Excel as an Excel Workbook (.xlsx) without a password"
            )
            raise ConfigurationError(f"{path}: the plan register {reason}; {advice}.") from None
        plan, problems = _part("plan_from_rows")(sheets, path, items)
    return sheets, plan, problems


__all__ = [
    "BY_DIRECTORATE",
    "ITEM_SHEETS", "REGISTER_SHEETS", "SETTING_COUNCIL", "SETTING_COVER_NOTE", "SETTING_DEADLINE",
    "SETTING_TARGET", "SETTING_TOLERANCE", "SETTING_YEAR", "SETTINGS_DEFAULTS", "SETTINGS_ROWS",
    "Action", "Directorate", "DirectoratePlan", "Measure", "Objective", "Plan", "PlanProblem",
    "RegisterColumn", "Risk", "Saving", "Settings", "Theme", "check_plan", "load_plan",
    "load_plan_and_rows", "plan_from_rows", "read_and_check", "read_register_rows",
]
