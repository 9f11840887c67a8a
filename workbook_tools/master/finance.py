"""Finance's entries on the Savings rows (master/consolidate.py): read back from the old master
by (Quarter, Saving ID), the ledger's figures among them, each put back on its row, those whose
row has gone kept in rows marked orphaned."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from workbook_tools.master import columns as mc
from workbook_tools.master import savingscopy
from workbook_tools.master.columns import MasterSheet
from workbook_tools.master.ledger import Ledger, ledger_variances_of
from workbook_tools.master.read import FinanceEntry, Master, materialize
from workbook_tools.master.sheetrow import Copied
from workbook_tools.plan.register import Plan


def apply_ledger(entries: dict[tuple[str, str], FinanceEntry], ledger: Ledger) -> None:
    """The ledger's figures replace `Ledger (£)` for every saving in the quarters it covers."""
    for (quarter, _saving), entry in entries.items():
        if quarter in ledger.quarters:
            entry.values[mc.LEDGER] = None
    for (quarter, saving), amount in ledger.amounts.items():
        found = entries.setdefault((quarter, saving), FinanceEntry(quarter, saving, {}, {}))
        found.values[mc.LEDGER] = amount


def attach_finance(new: Master, entries: dict[tuple[str, str], FinanceEntry],
                    reason: Callable[[FinanceEntry], str], plan: Plan) -> Any:
    """Savings rows with finance's entries put back on their rows; entries with no row kept in
    orphaned rows (a list of dicts, or a sheetrow.Copied: the rows copied as bytes, then those)."""
    columns = (*new.finance_columns, mc.LEDGER)
    blank = dict.fromkeys(columns)
    rows: list[dict[str, Any]] = []
    # the rows copied as bytes (master/savingscopy.py) keep their entries as they are, or are
    # made again from their columns and written again like the others
    if new.sheets[MasterSheet.SAVINGS].__class__ is Copied and not savingscopy.keeps_entries(
            new.sheets[MasterSheet.SAVINGS], entries, columns):
        materialize(new, [MasterSheet.SAVINGS])
    copied = new.sheets[MasterSheet.SAVINGS]
    if copied.__class__ is not Copied:
        copied = None
    for row in new.sheets[MasterSheet.SAVINGS] if copied is None else copied.tail:
        if row.get(mc.ORPHANED):
            continue  # orphaned rows are made again below from their entries
        key = (str(row.get("Quarter")), str(row.get("Saving ID") or "").strip())
        entry = entries.pop(key, None)
        # in place: a copy of every row held the old master's Savings twice at once (190 MB at
        # 240 returns); after the merge its rows of other quarters are read for nothing else
        _put(row, entry, columns, blank)
        rows.append(row)
    savings = {s.id: s for s in plan.savings}
    for entry in entries.values():
        if not entry.has_values and not entry.cells:
            continue
        base = {h: entry.row.get(h) for h in ("Directorate", "Theme", "Objective code",
                                              "Objective", "Saving proposal", "Type",
                                              "Target (£)")}
        saving = savings.get(entry.saving_id)
        if saving is not None and base["Directorate"] is None:
            objective = plan.objective(saving.objective_code)
            theme = plan.theme_of(saving.objective_code)
            base.update({"Directorate": saving.directorate_code,
                         "Theme": theme.name if theme else None,
                         "Objective code": saving.objective_code,
                         "Objective": objective.name if objective else None,
                         "Saving proposal": saving.name, "Type": saving.type,
                         "Target (£)": saving.target})
        rows.append({"Quarter": entry.quarter, "Saving ID": entry.saving_id, **base,
                     **{h: entry.values.get(h) for h in columns},
                     **dict.fromkeys(mc.LEDGER_COLUMNS[1:]), mc.ORPHANED: reason(entry),
                     "_cells": entry.cells})
    ledger_variances_of(rows)
    return rows if copied is None else copied.with_tail(rows)


def without_entries(rows: list[dict[str, Any]], finance_columns: tuple[str, ...]) -> None:
    """New Savings rows (dicts) as `attach_finance` leaves a row no entry is for: finance's
    columns blank, not orphaned (a new master's, made a return at a time: master/chunked.py)."""
    columns = (*finance_columns, mc.LEDGER)
    blank = dict.fromkeys(columns)
    for row in rows:
        _put(row, None, columns, blank)
    ledger_variances_of(rows)


def _put(row: dict[str, Any], entry: FinanceEntry | None, columns: tuple[str, ...],
         blank: dict[str, Any]) -> None:
    """Finance's `entry` (None: none) on its Savings row, which is no longer orphaned."""
    row.update(blank if entry is None else {h: entry.values.get(h) for h in columns})
    row["_cells"] = entry.cells if entry else row.get("_cells")
    row[mc.ORPHANED] = None
