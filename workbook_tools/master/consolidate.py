"""Consolidate a quarter's accepted returns into the master workbook (SPEC section 8).

The master keeps every quarter: consolidating a quarter replaces that quarter's rows and nothing
else. Finance's columns on Savings are read back by (Quarter, Saving ID) and kept; an entry whose
row has gone stays in a row marked orphaned. The new master is written beside the old one and
swapped in only when complete; the old one is kept in the backups folder.

Reading the master is master_read.py, its rows for a quarter master_rows.py, writing it
master/write.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbook_tools import __version__, helper, parallel
from workbook_tools.collector import paused
from workbook_tools.errors import ConfigurationError
from workbook_tools.files.memory import give_back_memory
from workbook_tools.files.spool import Spool
from workbook_tools.master import columns as mc
from workbook_tools.master import keep, writerows
from workbook_tools.master.columns import MasterSheet
from workbook_tools.master.corrections import FIGURE_SHEETS, corrections, earlier_under
from workbook_tools.master.finance import apply_ledger, attach_finance
from workbook_tools.master.history import context_of
from workbook_tools.master.ledger import Ledger, read_ledger
from workbook_tools.master.order import load_numpy, note_order, noted_in_order, sort_rows
from workbook_tools.master.periods import Period, refuse_closed, reopened_period
from workbook_tools.master.read import (
    NOTHING_CHANGED,
    FinanceEntry,
    Master,
    materialize,
    read_master,
)
from workbook_tools.master.rows import quarter_rows, share_register_texts
from workbook_tools.master.safe import check_not_open, login_name, master_state, write_safely
from workbook_tools.master.sheetrow import Copied, Row, column_of, in_place, year_on_year
from workbook_tools.master.streamed import finish_afresh, goes_after, streams
from workbook_tools.master.write import row_positions
from workbook_tools.master.yearago import compare_with_a_year_ago, year_ago_figures
from workbook_tools.plan.bydirectorate import PlanByDirectorate, let_go
from workbook_tools.plan.register import Plan
from workbook_tools.quarters import Quarter
from workbook_tools.returns.findings import (
    ACCEPTED,
    ACCEPTED_WITH_WARNINGS,
    NOT_A_RETURN,
    NOT_RECEIVED,
    REJECTED,
    SpooledTables,
    ValidationRun,
)
from workbook_tools.returns.locked import forget_register_index

__all__ = ["ConsolidationResult", "Master", "consolidate", "read_master"]

NOT_IN_REGISTER = "Saving no longer in the register"
NOT_ACCEPTED = "Return not accepted in the latest run"
NOT_RECEIVED_REASON = "No return received in the latest run"
NOT_IN_RETURN = "Saving not in the directorate's return"
MAX_CELL_TEXT = 32_000  # Excel holds at most 32,767 characters in a cell


@dataclass
class ConsolidationResult:
    """What `consolidate` did.

    Attributes:
        run: the validation of the quarter's returns.
        counts: rows written for the quarter, by sheet (Savings without orphaned rows).
        quarters: every quarter in the master after the write.
        not_received: directorates in the register with no return for the quarter.
        orphaned: finance entries (every quarter) kept in rows marked orphaned.
        left_out: items in an accepted return that are no longer in the register.
        notes: formulas kept as typed that point outside their row, and what could not be kept
            (a formula referring to another workbook kept as its value), naming sheet and cell.
        backup: where the previous master was kept (None when there was none).
        reopened: the reopen the quarter was consolidated under (None when it was never
            closed); `corrections` then counts the figures recorded as corrected.
    """

    quarter: Quarter
    run: ValidationRun
    master: Path
    backup: Path | None
    counts: dict[str, int] = field(default_factory=dict)
    quarters: list[str] = field(default_factory=list)
    not_received: list[str] = field(default_factory=list)
    orphaned: int = 0
    left_out: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what of people's own work needs a look
    ledger: Ledger | None = None
    reopened: Period | None = None
    corrections: int = 0

    @property
    def exit_code(self) -> int:
        """0 when every return present was accepted; 1 when any was rejected or unreadable."""
        return self.run.exit_code


@paused()  # (the master's rows hold no cycles: collector.py)
def consolidate(
    plan: Plan,
    quarter: Quarter,
    returns_dir: Path,
    master_path: Path,
    ledger_csv: Path | None = None,
    backups_dir: Path | None = None,
    progress: Callable[[Path], None] | None = None,
    now: dt.datetime | None = None,
    user: str | None = None,
) -> ConsolidationResult:
    """Validate every return in `returns_dir` and write the accepted ones into the master.

    Args:
        ledger_csv: a ledger export (Saving ID, Quarter, Amount) for the `Ledger (£)` column.
        backups_dir: where the previous master is kept [default: `backups` beside the master].
        progress: called with each return once it is validated.
        now, user: recorded in the Log (defaults: the time now, the login name).

    Raises:
        ConfigurationError: the returns folder is missing or empty; a malformed ledger
            (LedgerError, naming its line).
        ClosedQuarterError: the quarter, or a quarter the ledger covers, is closed.
        MasterError: the master cannot be read, is not ours, is open elsewhere, cannot be
            replaced, or would pass Excel's row limit. In every error case nothing is written.
    """
    from workbook_tools.returns.validate import Started, expand_paths, validate_paths

    master_path, returns_dir = Path(master_path), Path(returns_dir)
    backups = Path(backups_dir) if backups_dir else master_path.parent / "backups"
    stamp = (now or dt.datetime.now()).replace(microsecond=0)
    check_not_open(master_path)
    before = master_state(master_path)
    files = expand_paths([returns_dir]) if returns_dir.is_dir() else []
    spool = None
    run = None
    appending = False
    try:
        # a plan read a directorate at a time (plan/bydirectorate.py) is how the workers check
        # the returns; the merge takes the whole register, read here (while they work) and let
        # go of before the write: 240,000 items, 60 MB at 240 returns (held through the write
        # otherwise)
        whole = None
        if before is None:
            old = Master()
            if ledger_csv is not None:  # (the ledger's IDs are checked against the register's)
                whole = _whole(plan)
            ledger = _check_ledger_and_returns(whole or plan, quarter, old, master_path,
                                               ledger_csv, returns_dir, files)
            # a new master's rows kept on disk (files/spool.py): the returns' typed rows, by
            # the workers that read them, then the master's rows made from them (streamed.py)
            spool = Spool()
            run = validate_paths(files, quarter, plan, None, progress, spool=spool)
        else:
            # the returns are read and checked while the master is read (one core each), the
            # warnings that need last quarter's figures worked out once it is; anything wrong
            # with the master, the quarter or the ledger stops the workers and writes nothing.
            # Their typed rows kept on disk too, not sent back to be held here while the master
            # is read (77 MB at 240 returns)
            spool = Spool()
            with Started(files, quarter, plan, master_path, spool=spool) as started:
                # numpy, loaded while the workers validate (not while this process alone
                # merges): the master's record is decoded with it (columncode.largest), and the
                # sort checks copied rows with it
                load_numpy()
                # the quarter's own rows as dicts (corrections compare them), every other
                # quarter's rows on the sheets a run copies through as Rows
                old = read_master(master_path, touched={str(quarter)})
                # the whole register, for the ledger's IDs and to check the order of the rows
                # the quarter's would go after; not read when the master's record says they
                # are in this register's order (order.note_order) and no ledger is given
                whole = None if ledger_csv is None and noted_in_order(old, plan) \
                    else _whole(plan)
                ledger = _check_ledger_and_returns(whole or plan, quarter, old, master_path,
                                                   ledger_csv, returns_dir, files)
                # the quarter's rows to go after the master's as they are (streamed.goes_after):
                # then made from the plan read a directorate at a time, and the whole register
                # let go of now, not held while the workers finish (88 MB at 240 returns)
                appending = streams(plan, ledger) and goes_after(old, quarter, whole or plan)
                if appending:
                    whole = None
                give_back_memory()  # (and what the checks of the order took)
                # last quarter's figures from the master already read, not read again
                context = context_of(old.sheets, quarter)
                give_back_memory()  # (the columns its figures were picked from)
                run = started.finish(context, progress)
                del context  # (held by the job until `del started` below, then let go)
            del started  # (with last quarter's figures)
        _write_helper_ahead(old, run)
        # so the quarter's rows are made a return at a time, kept in the spool too and written
        # from it, not held: into a new master (nor the whole register read), or after the
        # rows of a master they all go after as they are (streamed.goes_after)
        streamed = spool if streams(plan, ledger, run) and (before is None or appending) else None
        new, result = _merge(old, whole or (plan if streamed else _whole(plan)), quarter,
                             run, ledger, streamed, plan)
        del whole  # (the caller's plan, when whole, stays the caller's)
        # and any copy the checks kept (an ID not of its return's directorate, checked in
        # this process), with the index of it
        let_go(plan)
        forget_register_index()
        give_back_memory()
        result.reopened = reopened_period(old, quarter)
        if result.reopened is not None:
            result.corrections = _record_corrections(old, new, result.reopened, stamp)
        new.sheets[MasterSheet.LOG].append(_log_row(stamp, user, quarter, run, ledger))
        result.master = master_path
        result.notes += keep.dropped_comments(old.sheets, new.sheets)
        del old  # (its rows of the quarter, replaced: not held while the master is written)
        result.backup = write_safely(new, master_path, backups, stamp, before, release=True)
    finally:
        if spool is not None:
            spool.close()  # (first: the returns' rows, whatever else fails here)
        if run is not None:  # (a return's typed rows are not kept once the master is written)
            for found in run.results:
                if found.data is not None and isinstance(found.data.rows, SpooledTables):
                    found.data.rows = {}
        helper.stop_ahead()  # (one not taken)
    return result


def _whole(plan: Plan) -> Plan:
    """The whole register: `plan` itself, or read for the caller to let go of when its items
    are read a directorate at a time."""
    return plan.whole(keep=False) if isinstance(plan, PlanByDirectorate) else plan


def _write_helper_ahead(old: Master, run: ValidationRun) -> None:
    """The write's helper (master/writehelper.py) started now, while this process merges the
    quarter alone (helper.start_ahead), when the write will have one: the rows written anew
    (the quarter's, and those not copied from the old master), at 16 cells a row, reach
    writerows.PARALLEL_CELLS."""
    anew = sum(result.rows or 0 for result in run.results) + sum(
        len(rows.tail) if rows.__class__ is Copied else len(rows) for rows in old.sheets.values())
    try:
        if parallel.cores() >= 2 and anew * 16 >= writerows.PARALLEL_CELLS:
            helper.start_ahead("workbook_tools.master.writehelper")
    except Exception:  # noqa: BLE001 - (nothing about a helper stops a write: it starts later)
        pass


def _check_ledger_and_returns(plan: Plan, quarter: Quarter, old: Master, master_path: Path,
                              ledger_csv: Path | None, returns_dir: Path, files: list[Path]
                              ) -> Ledger | None:
    """Refuse a closed quarter, then read the ledger (refusing the closed quarters it covers);
    then refuse a returns folder that is missing or empty (`files`, what it holds).

    Raises:
        ClosedQuarterError, ConfigurationError: nothing is written.
    """
    refuse_closed(old, master_path, [str(quarter)], "consolidating it")
    ledger = None
    if ledger_csv is not None:
        known = dict.fromkeys([*(s.id for s in plan.savings), *(  # (the register's first)
            str(v) for v in column_of(old.sheets[MasterSheet.SAVINGS], "Saving ID") if v)])
        ledger = read_ledger(Path(ledger_csv), known)
        refuse_closed(old, master_path, ledger.quarters, f"the ledger {Path(ledger_csv).name} "
                      "for it")
    if not returns_dir.is_dir():
        raise ConfigurationError(f"{returns_dir}: there is no such folder. Save the returns "
                                 f"there, or give --returns. {NOTHING_CHANGED}")
    if not files:
        raise ConfigurationError(f"{returns_dir}: has no returns for {quarter}. "
                                 f"{NOTHING_CHANGED}")
    return ledger


# ---------------------------------------------------------------------------------------------
# Merging a quarter into the master.


def _merge(old: Master, plan: Plan, quarter: Quarter, run: ValidationRun,
           ledger: Ledger | None, spool: Spool | None = None, parts: Plan | None = None
           ) -> tuple[Master, ConsolidationResult]:
    """The new master and what was done. With a `spool` (streamed.py), the quarter's rows are
    made from `parts` (the plan read a directorate at a time) a return at a time and kept
    there, given as they are made what this gives every row otherwise."""
    q = str(quarter)
    fresh = quarter_rows(plan, quarter, run) if spool is None else quarter_rows(
        parts or plan, quarter, run, spool, finish_afresh(old.finance_columns, year_ago_figures(
            old.sheets[MasterSheet.MEASURES], quarter)))
    new = Master(path=old.path, headers=dict(old.headers), columns=old.columns,
                 copies=old.copies)
    if not isinstance(plan, PlanByDirectorate):  # (its items not held: none to share)
        share_register_texts(old.sheets, plan)
    for name in mc.SHEETS:
        rows = old.sheets[name]
        made = fresh.sheets.get(name)
        if getattr(made, "afresh", False):  # (made a return at a time: streamed.py)
            new.sheets[name] = rows.with_tail(made) if rows.__class__ is Copied else made
            continue
        # (a Row is never the quarter's: read_master; nor is a copied row)
        kept = [r for r in (rows.tail if rows.__class__ is Copied else rows)
                if name in mc.KEPT_WHOLE or r.__class__ is Row or r.get("Quarter") != q]
        kept += fresh.sheets.get(name, [])
        new.sheets[name] = rows.with_tail(kept) if rows.__class__ is Copied else kept
    result = ConsolidationResult(quarter, run, Path(), None, left_out=fresh.left_out)
    result.counts = {name: len(fresh.sheets[name]) for name in mc.SHEETS
                     if name != MasterSheet.LOG and name not in mc.PEOPLES_OWN}
    result.not_received = [code for code, status in fresh.status.items()
                           if status == NOT_RECEIVED]
    entries = dict(old.finance)
    if ledger is not None:
        apply_ledger(entries, ledger)
    register = {s.id for s in plan.savings}
    directorate_of = {s.id: s.directorate_code for s in plan.savings}

    def reason(entry: FinanceEntry) -> str:
        if entry.saving_id not in register:
            return NOT_IN_REGISTER
        if entry.quarter != q:
            return entry.orphaned or f"No row for this saving in {entry.quarter}"
        status = fresh.status.get(directorate_of[entry.saving_id], NOT_RECEIVED)
        if status == NOT_RECEIVED:
            return NOT_RECEIVED_REASON
        if status in (ACCEPTED, ACCEPTED_WITH_WARNINGS):
            return NOT_IN_RETURN
        return NOT_ACCEPTED

    if spool is None:  # (else each row compared, and given finance's columns, as made)
        _compare(new)
        new.sheets[MasterSheet.SAVINGS] = attach_finance(new, entries, reason, plan)
    result.orphaned = sum(map(bool, column_of(new.sheets[MasterSheet.SAVINGS], mc.ORPHANED)))
    sort_rows(new, plan)
    note_order(new, parts or plan, result.orphaned)
    # copied rows are written as they were only where they still are the sheet's first rows
    moved = [name for name, block in new.copies.items()
             if not in_place(new.sheets[name], block)]
    materialize(new, moved)
    if MasterSheet.MEASURES in moved:
        compare_with_a_year_ago(new.sheets[MasterSheet.MEASURES])
    result.notes = [*old.notes, *(line for name in mc.OPEN_COLUMNS for line in keep.formula_notes(
        name, new.headers[name], row_positions(name, new.sheets[name]), new.sheets[name]))]
    result.quarters = new.quarters()
    result.ledger = ledger
    return new, result


def _compare(new: Master) -> None:
    """Each measure compared with the same quarter a year before (rules.years_on_years)."""
    measures = new.sheets[MasterSheet.MEASURES]
    stored = year_on_year(measures)
    # rows copied as this code wrote them (on record) keep their comparisons: see the function
    block = new.copies.get(MasterSheet.MEASURES)
    compare_with_a_year_ago(measures, copied_stand=block is not None and bool(block.recorded))
    if year_on_year(measures) != stored:  # a copied row's comparison would change
        materialize(new, [MasterSheet.MEASURES])
        measures = new.sheets[MasterSheet.MEASURES]  # (the rows read in full: a new list)
        compare_with_a_year_ago(measures)


def _record_corrections(old: Master, new: Master, reopen: Period, stamp: dt.datetime) -> int:
    """Every figure of the reopened quarter that now differs from what was closed, recorded on
    the Corrections sheet (replacing those an earlier consolidate under this reopen recorded)."""
    q = reopen.quarter
    if reopen.when is not None:
        stamp = max(stamp, reopen.when)  # recorded under this reopen, even at the same second
    earlier = earlier_under(old.sheets[MasterSheet.CORRECTIONS], reopen)
    found = corrections({s: old.rows(s, q) for s in FIGURE_SHEETS},
                        {s: new.rows(s, q) for s in FIGURE_SHEETS}, earlier, reopen, stamp)
    replaced = {id(row) for row in earlier}
    new.sheets[MasterSheet.CORRECTIONS] = [r for r in new.sheets[MasterSheet.CORRECTIONS]
                                 if id(r) not in replaced] + found
    return len(found)


def _log_row(stamp: dt.datetime, user: str | None, quarter: Quarter, run: ValidationRun,
             ledger: Ledger | None) -> dict[str, Any]:
    lines = []
    for result in run.results:
        counts = f"{len(result.errors)} errors, {len(result.warnings)} warnings"
        lines.append(f"{result.path.name}: {result.status} ({counts}); SHA-256 {result.sha256}")
    files = "\n".join(lines)
    if len(files) > MAX_CELL_TEXT:
        shown = files[:MAX_CELL_TEXT].rsplit("\n", 1)[0]
        files = f"{shown}\n... and {len(lines) - shown.count(chr(10)) - 1} more (see Submissions)"
    return {
        "When": stamp, "Who": user or login_name(), "Tool version": __version__,
        "Quarter": str(quarter), "Accepted": len(run.accepted),
        "Rejected": sum(1 for r in run.results if r.status in (REJECTED, NOT_A_RETURN)),
        "Files": files or None,
        "Ledger": f"{ledger.path.name}: {ledger.lines} lines; SHA-256 {ledger.sha256}"
        if ledger else None,
    }
