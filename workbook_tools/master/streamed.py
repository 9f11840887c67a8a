"""Whether a consolidate makes the quarter's rows a return at a time and keeps them on disk
(master/chunked.py) rather than hold them, and what it does to them as they are made: into a
new master, or after every row of a master whose rows they all go after as they are."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from workbook_tools.master import columns as mc
from workbook_tools.master import savingscopy
from workbook_tools.master.columns import MasterSheet
from workbook_tools.master.finance import without_entries
from workbook_tools.master.ledger import Ledger
from workbook_tools.master.order import appends
from workbook_tools.master.periods import reopened_period
from workbook_tools.master.read import Master
from workbook_tools.master.sheetrow import Copied
from workbook_tools.master.yearago import compare_with_a_year_ago
from workbook_tools.plan.bydirectorate import PlanByDirectorate
from workbook_tools.plan.register import Plan
from workbook_tools.quarters import Quarter
from workbook_tools.returns.findings import ValidationRun


def streams(plan: Plan, ledger: Ledger | None, run: ValidationRun | None = None) -> bool:
    """Whether the quarter's rows can be made and kept a return at a time: no ledger (whose
    figures go on the rows it covers, in any quarter), a plan read a directorate at a time,
    every accepted return's directorate the register's (`run`'s)."""
    codes = {d.code for d in plan.directorates}
    return ledger is None and isinstance(plan, PlanByDirectorate) and all(
        found.directorate in codes for found in (run.accepted if run else ()))


def goes_after(old: Master, quarter: Quarter, plan: Plan) -> bool:
    """Whether the quarter's rows, made a return at a time, go after the old master's rows as
    they are, and are given there what the merge of every row would give them: every row on
    the item sheets copied as bytes, of earlier quarters, in order (order.appends); finance's
    entries all on those rows, as they are (savingscopy.keeps_entries), so none is the
    quarter's and none is orphaned anew; the measures' comparisons with a year ago as this
    code wrote them (on record: so they stand, none being a year after the quarter); and the
    quarter never closed (no corrections to list). Anything else is merged as before."""
    measures, savings = old.sheets[MasterSheet.MEASURES], old.sheets[MasterSheet.SAVINGS]
    block = old.copies.get(MasterSheet.MEASURES)
    if reopened_period(old, quarter) is not None or (measures.__class__ is Copied and not (
            block is not None and block.recorded)):
        return False
    entries = dict(old.finance)
    if savings.__class__ is Copied and not savingscopy.keeps_entries(
            savings, entries, (*old.finance_columns, mc.LEDGER)):
        return False
    return not entries and appends(old, plan, quarter)


def finish_afresh(finance_columns: tuple[str, ...], earlier: dict[str, dict[str, Any]]
            ) -> Callable[[str, list[Any]], None]:
    """What the merge does to the quarter's rows (`streams`), done to a return's rows as they
    are made: measures compared with a year ago (`earlier`: the old master's actuals for it),
    savings given finance's columns (no entries: `goes_after`, and no ledger)."""
    def finish(sheet: str, rows: list[Any]) -> None:
        if sheet == MasterSheet.MEASURES:
            compare_with_a_year_ago(rows, earlier=earlier)
        elif sheet == MasterSheet.SAVINGS:
            without_entries(rows, finance_columns)
    return finish
