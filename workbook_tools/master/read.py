"""Reading the master workbook back: every sheet as rows keyed by header, and finance's entries.

The master is read with python-calamine through files/guard.py's safety checks. It must be ours:
every sheet of SPEC section 8 with every header in row 1 (in any order). Anything the tool could
not write back is refused with a MasterError rather than lost: a sheet someone added, a column
added to a sheet other than Savings, finance figures on a row with no Quarter or Saving ID, a
finance cell whose formula has no saved value or that shows an error. A formula in finance's
columns is kept as its value (rows are re-sorted, so its references would point elsewhere).
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbook_tools.collector import paused
from workbook_tools.errors import MasterError, UnreadableFileError, about_file
from workbook_tools.files import snapshot
from workbook_tools.files.cells import is_blank
from workbook_tools.files.extras import ColumnLook
from workbook_tools.files.guard import MIB, Limits, SafeWorkbook, SheetScan
from workbook_tools.files.memory import give_back_memory
from workbook_tools.master import columns as mc
from workbook_tools.master import keep, record, savingscopy, savingsrecord, savingsxml, verbatim
from workbook_tools.master.columns import MasterSheet
from workbook_tools.master.ledger import ledger_variances_of
from workbook_tools.master.readsheet import (
    NOTHING_CHANGED,
    canonical_quarter,
    picked_rows,
    quarter_order,
    read_sheet,
)
from workbook_tools.master.sheetrow import Copied, Row, column_of
from workbook_tools.quarters import Quarter

#: The master is our own file and holds every quarter, so it may be larger than a return. Its
#: text may be as much as a sheet part at the member limit holds in-line: a master Excel or
#: LibreOffice saved keeps each repeated text once, and four quarters at 60 returns count about
#: 70 million characters on Measures, past the returns' limit (a long text used by many cells).
MASTER_LIMITS = Limits(max_file_bytes=512 * MIB, max_member_bytes=1024 * MIB,
                       max_total_bytes=2048 * MIB, max_sheet_cells=40_000_000,
                       max_sheet_text=1024 * MIB)

#: The sheets whose rows of quarters a consolidate does not touch it only copies through (and
#: sorts), read as Rows when read_master is told the quarters it touches: all but those kept
#: whole and those with people's own columns (Savings' earlier quarters are copied only from
#: its record: master/savingscopy.py).
LEAN_SHEETS = tuple(name for name in mc.SHEETS
                    if name not in mc.KEPT_WHOLE and name not in mc.OPEN_COLUMNS)
_ALL_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass
class FinanceEntry:
    """What finance (or the ledger) put against one saving in one quarter."""

    quarter: str
    saving_id: str
    values: dict[str, Any]  # finance columns (and any finance added) and 'Ledger (£)'
    row: dict[str, Any]  # the Savings row it was read from
    orphaned: str | None = None  # the reason, when it was read from an orphaned row

    @property
    def cells(self) -> dict[str, Any]:
        """Formulas, comments and formats kept on the row's cells, by header (master/keep.py)."""
        return dict(self.row.get("_cells") or {})

    @property
    def has_values(self) -> bool:
        return any(not is_blank(v) for v in self.values.values())


@dataclass
class Master:
    """The master workbook's content.

    Attributes:
        path: where it was read from (None for a new master).
        headers: sheet name -> its headers in order. Savings and Narrative keep the order they
            have in the file and may carry columns people added (on Savings they are finance's
            and kept like the four finance columns).
        sheets: sheet name -> rows, each a dict keyed by header (or, for a consolidate, a
            sheetrow.Row: see read_master's `touched`). Blank cells are None, numbers
            float, dates `datetime.date`, times `datetime.datetime`, text `str`, as typed.
            `Quarter` is canonical text such as '2025-26-Q1'.
        finance: (Quarter, Saving ID) -> FinanceEntry for every Savings row, orphaned or not,
            with a finance value, a ledger figure or something kept on a cell (`_cells`).
        columns: sheet -> header -> the width and hidden state people gave the column.
        notes: what could not be kept, one sentence each naming the sheet and cell.
        copies: sheet -> the block of its first rows a consolidate copies from `path` as bytes
            (master/verbatim.py): held as a `sheetrow.Copied`, the columns of their read cells.
        ordered_by: the SHA-256 of the register in whose order every item sheet's rows are
            (master/order.py's note_order): as the master's record says, read; as the run put
            them, written. None when not known.
    """

    path: Path | None = None
    headers: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(mc.SHEETS))
    sheets: dict[str, Any] = field(  # lists of dicts and Rows, or sheetrow.Copied (`touched`)
        default_factory=lambda: {name: [] for name in mc.SHEETS})
    finance: dict[tuple[str, str], FinanceEntry] = field(default_factory=dict)
    columns: dict[str, dict[str, ColumnLook]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    copies: dict[str, verbatim.Block] = field(default_factory=dict)  # rows copied as bytes
    ordered_by: str | None = None

    @property
    def finance_columns(self) -> tuple[str, ...]:
        """The four finance columns and any column finance added to Savings."""
        extra = tuple(h for h in self.headers[MasterSheet.SAVINGS] if h not in mc.SAVINGS)
        return (*mc.FINANCE_COLUMNS, *extra)

    def rows(self, sheet: str, quarter: Quarter | str | None = None) -> list[dict[str, Any]]:
        """A sheet's rows, for one quarter when given."""
        if quarter is None:
            return list(self.sheets[sheet])
        wanted, rows = str(quarter), self.sheets[sheet]
        return [rows[i] for i, q in enumerate(column_of(rows, "Quarter")) if q == wanted]

    def quarters(self) -> list[str]:
        """Quarters with rows on any item sheet or Submissions, earliest first."""
        found = set().union(*(column_of(self.sheets[name], "Quarter")
                              for name in (MasterSheet.SUBMISSIONS, *mc.ID_COLUMNS)))
        return sorted({str(q) for q in found if not is_blank(q)}, key=quarter_order)

    def frame(self, sheet: str) -> Any:
        """A sheet as a pandas DataFrame with the sheet's headers as columns."""
        import pandas as pd

        headers = list(self.headers[sheet])
        rows = [r if isinstance(r, dict) else dict(zip(headers, r, strict=True))
                for r in self.sheets[sheet]]
        return pd.DataFrame(rows, columns=headers)


@about_file("path")
@paused()  # (the rows it makes hold no cycles: collector.py)
def read_master(path: Path | str, touched: Collection[str] | None = None) -> Master:
    """Read the master workbook.

    Args:
        touched: for consolidate: the quarters whose rows it reads or changes. Every other
            quarter's rows on the sheets a run only copies through (LEAN_SHEETS) are then
            `sheetrow.Row`s, their values in header order, rather than dicts; and the rows of
            quarters before them that are ours to the byte are copied (master/verbatim.py),
            unless WORKBOOK_TOOLS_COPY=off.

    Raises:
        MasterError: it cannot be read safely, is not a master written by workbook-tools, or
            holds something the tool could not keep (the message says what and where).
    """
    path = Path(path)
    master = Master(path=path)
    texts: dict[str, str] = {}
    copier = verbatim.Copier.of(touched)
    with _opened(path) as workbook:
        # a master the tool wrote, as it wrote it: what the copy's scan finds is on record
        # (of the guard's copy: the bytes the rest of the read sees)
        digest = workbook.sha256() if copier.on else ""
        known = record.recall(digest) if copier.on else None
        master.ordered_by = None if known is None else known.ordered
        names = workbook.sheet_names
        missing = [name for name in mc.SHEETS
                   if name not in names and name not in mc.ADDED_SHEETS]
        if missing:
            raise MasterError(
                f"{path}: is not a master workbook written by workbook-tools (it has no "
                f"sheet '{missing[0]}'). Give another --master, or move the file aside. "
                f"{NOTHING_CHANGED}")
        for name in names:
            if name in mc.SHEETS:
                continue
            rows, _ = workbook.read(name)
            if any(not is_blank(v) for row in rows for v in row):
                raise MasterError(
                    f"{path}: has a sheet '{name}' that workbook-tools did not write and "
                    f"would not keep; move it to a workbook of your own and run again. "
                    f"{NOTHING_CHANGED}")
        # Savings first: what calamine's read of it frees (hundreds of MB at 240 returns) the
        # other sheets' rows then fill, not left as holes; notes and errors in the sheets' order
        notes: dict[str, list[str]] = {}
        failed: dict[str, Exception] = {}
        ours = [name for name in mc.SHEETS if name in names]
        for name in sorted(ours, key=lambda name: name != MasterSheet.SAVINGS):
            at = len(master.notes)
            try:
                _read_one(workbook, master, path, name, touched, known, copier, texts, digest)
            except Exception as exc:  # noqa: BLE001 - raised below, in the sheets' order
                failed[name] = exc
                if name != MasterSheet.SAVINGS:
                    break
            notes[name], master.notes[at:] = master.notes[at:], []  # (put in order below)
        if failed:
            raise failed[min(failed, key=list(mc.SHEETS).index)]
        master.notes = [note for name in mc.SHEETS for note in notes.get(name, [])]
    _collect_finance(master, path)
    # what calamine's rows left free given back, not held to the end (and by forked writers)
    give_back_memory()
    return master


def _read_one(workbook: SafeWorkbook, master: Master, path: Path, name: str,
              touched: Collection[str] | None, known: record.Record | None,
              copier: verbatim.Copier, texts: dict[str, str], digest: str) -> None:
    """Put one sheet of the master read through `workbook` on `master` (see read_master)."""
    if name == MasterSheet.SAVINGS and savingsrecord.taken(known, workbook, master,
                                                          copier.before):
        if name in master.copies:
            master.copies[name].recorded = digest  # (forgotten if the copy finds it wrong)
        return  # the tool wrote these bytes: Savings as its record says, its XML not read
    if name == MasterSheet.SAVINGS and copier.on and savingsxml.taken(
            workbook, copier, master, path, texts, _read_sheet, _read_kept):
        return  # every row ours: read from its XML, not by calamine (master/savingsxml.py)
    watch = _ALL_LETTERS if name == MasterSheet.SAVINGS else ""
    lean = touched if touched is not None and name in LEAN_SHEETS else None
    found, scanned = None, None
    sheet = known.sheets.get(name) if known is not None and lean is not None else None
    if sheet is not None and sheet.part == workbook.part(name):
        # the tool wrote these bytes: the rows are as its record says; the guard scans
        # the sheet only when calamine reads it after all
        found = sheet.found(name, copier.before, texts)
        if found is not None:
            found[0].recorded = digest  # (forgotten if the copy finds it wrong)
        if found is None or not found[0].complete:
            scanned = workbook.scan(name, watch=watch)
    elif copier.on and lean is not None:
        # the rows that are copied are found (their grammar is ours: no shared string, no
        # cell past the headers); the guard scans the sheet only when calamine reads it
        found = copier.scan(workbook, name, texts)
        if found is None or not found[0].complete:
            scanned = workbook.scan(name, watch=watch)
    if found is not None and found[0].complete:
        # every row copied: calamine is not needed
        header = list(mc.SHEETS[name])
        master.headers[name], master.sheets[name] = mc.SHEETS[name], found[1]
        master.copies[name] = found[0]
    else:
        # (a row at a time when every row is read: calamine's copy of a cell let go as its
        # value is taken, not held beside the rows made; a block's rows are looked at twice)
        rows, scan = workbook.read(name, watch=watch, scanned=scanned) if found is not None \
            else workbook.read_lazily(name, watch=watch, scanned=scanned)
        header = _read_sheet(master, path, name, rows, scan.formulas, scan.errors,
                             texts, lean, found)
        del rows  # calamine's copy of the sheet, before the next one is read
    if found is not None and name in master.copies:
        master.columns[name] = {mc.SHEETS[name][c]: ColumnLook(w, False)
                                for c, w in found[0].widths.items()
                                if c < len(mc.SHEETS[name])}
    if name in mc.OPEN_COLUMNS:  # (never a lean sheet: read by calamine)
        _read_kept(workbook, master, name, header, scan)
    else:  # the tool's own sheets: only comments people put on them
        keep.attach(name, header, master.sheets[name],
                    workbook.comments(name).cells, set(), master.notes)


@about_file("path")
def read_rows(path: Path | str, columns: dict[str, tuple[str, ...]]) -> dict[str, list[dict]]:
    """Only the `columns` of the sheets named (their rows as dicts, a quarter canonical; a
    sheet or column the master lacks gives none): for a command that needs a few
    of the master's figures, such as last quarter's (master/history.py). Read through the guard
    with the master's limits, but not checked as a master to keep: a column the team added, a
    renamed or doubled column those figures do not need, stops nothing here.

    Raises:
        MasterError: the file cannot be read safely.
    """
    path = Path(path)
    texts: dict[str, str] = {}
    sheets: dict[str, list[dict]] = {}
    with _opened(path) as workbook:
        for name, names in columns.items():
            if name in workbook.sheet_names:
                sheets[name] = picked_rows(workbook.read(name)[0], names, texts)
    return sheets


@contextlib.contextmanager
def _opened(path: Path) -> Iterator[SafeWorkbook]:
    """The master through the safety guard; what cannot be read safely a MasterError."""
    try:
        with SafeWorkbook(path, MASTER_LIMITS) as workbook:
            yield workbook
    except UnreadableFileError as exc:
        if exc.code == snapshot.CHANGED:  # (the file is not at fault: someone saved it meanwhile)
            raise MasterError(f"{path}: was {exc.reason}. {NOTHING_CHANGED}") from None
        raise MasterError(
            f"{path}: cannot be read as the master workbook: it {exc.reason}. Restore the latest "
            f"copy from the backups folder, or move it aside to start a new master. "
            f"{NOTHING_CHANGED}") from None
    except OSError as exc:
        raise MasterError(f"{path}: cannot be read ({exc.strerror or exc}). "
                          f"{NOTHING_CHANGED}") from None


def _read_sheet(master: Master, path: Path, name: str, rows: Iterable[list[Any]],
                formulas: dict[str, str], errors: dict[str, str],
                texts: dict[str, str], lean: Collection[str] | None = None,
                copied: tuple[verbatim.Block, Copied] | None = None) -> list[str]:
    """Put a sheet's rows on `master` (readsheet.read_sheet); its headers as in the file. The
    rows `copied` (master/verbatim.py) stand for the first rows when every row after them is of
    a later quarter; else every row is read."""
    if copied is not None:
        assert isinstance(rows, list)  # (read whole when a block was copied: _read_one)
        block, placeholders = copied
        sheet = read_sheet(path, name, [rows[0], *rows[block.last_row:]], formulas, errors,
                           texts, lean, block.last_row + 1)
        last = quarter_order(placeholders[-1][0])
        if all(quarter_order(r.get(mc.QUARTER)) > last for r in sheet.rows):
            master.headers[name], master.sheets[name] = sheet.headers, placeholders + sheet.rows
            master.copies[name] = block
            return sheet.header
    sheet = read_sheet(path, name, rows, formulas, errors, texts, lean)
    master.headers[name], master.sheets[name] = sheet.headers, sheet.rows
    return sheet.header


def materialize(master: Master, names: Collection[str]) -> None:
    """Read in full, from the old master, the copied rows of the sheets `names` (their Rows
    filled in place, no longer copied): for when they cannot be copied after all."""
    names = [name for name in names if name in master.copies]
    if MasterSheet.SAVINGS in names:  # every column held: its rows made from them
        del master.copies[MasterSheet.SAVINGS]
        names.remove(MasterSheet.SAVINGS)
        master.sheets[MasterSheet.SAVINGS] = savingscopy.as_dicts(
            master.sheets[MasterSheet.SAVINGS], master.headers[MasterSheet.SAVINGS])
    if not names or master.path is None:
        return
    texts: dict[str, str] = {}
    with _opened(master.path) as workbook:
        for name in names:
            block, master.sheets[name] = master.copies.pop(name), list(master.sheets[name])  # Rows
            rows, scan = workbook.read(name)
            full = read_sheet(master.path, name, rows[:block.last_row], scan.formulas,
                              scan.errors, texts, ()).rows
            by_row = {r.read_at: r for r in full}
            for row in master.sheets[name]:
                if row.__class__ is Row and row.copied:
                    full_row = by_row.pop(row.read_at, None)
                    if full_row is None:
                        raise MasterError(f"{master.path}: was changed by someone else while "
                                          f"consolidating; run again. {NOTHING_CHANGED}")
                    row[:] = full_row
                    row.copied = False


def _read_kept(workbook: SafeWorkbook, master: Master, name: str, header: list[str],
               scan: SheetScan) -> None:
    """Formulas, comments, formats and column looks people put on the sheet (master/keep.py)."""
    finance = set(master.finance_columns) if name == MasterSheet.SAVINGS else set()

    def look(col: int, found: Any) -> Any:
        mine = header[col] if col < len(header) else ""
        return keep.kept_look(name, mine, found) if mine and keep.keeps_looks(
            name, mine, finance) else None

    ours = {i for i, h in enumerate(header) if h in mc.LEDGER_COLUMNS[1:]}  # the tool's formulas
    extras = workbook.extras(name, lambda col: col not in ours, look, len(header), scan)
    keep.attach(name, header, master.sheets[name], extras.cells, finance, master.notes)
    master.columns[name] = keep.column_looks(name, header, extras.columns, finance)


def _collect_finance(master: Master, path: Path) -> None:
    columns = (*master.finance_columns, mc.LEDGER)
    rows = master.sheets[MasterSheet.SAVINGS]
    # each row's finance cells and kept cells, the columns read in C (192,000 rows at 240
    # returns, most with nothing of finance's: looked at no further)
    held = zip(*(column_of(rows, h) for h in (*columns, "_cells")), strict=True)
    for at, cells in enumerate(held):
        if cells.count(None) == len(cells):
            continue
        row = rows[at]  # (a row copied as bytes made a Row only here: sheetrow.Copied)
        found = cells[:-1]
        values = dict(zip(columns, found, strict=True))
        if all(is_blank(v) for v in values.values()):
            key = (str(row.get("Quarter")), str(row.get("Saving ID") or "").strip())
            known = canonical_quarter(row.get("Quarter")) is not None and key[1]
            if row.get("_cells") and known and key not in master.finance:
                master.finance[key] = FinanceEntry(*key, values, row)  # a comment, say
            continue
        quarter, saving = row.get("Quarter"), row.get("Saving ID")
        if canonical_quarter(quarter) is None or is_blank(saving):
            raise MasterError(
                f"{path}: Savings row {row.get('_row')} has finance figures but no "
                f"{'Saving ID' if canonical_quarter(quarter) else 'quarter'}, so they cannot be "
                f"kept with their saving; give the row its Quarter and Saving ID (or move the "
                f"figures) and run again. {NOTHING_CHANGED}")
        key = (str(quarter), str(saving).strip())
        if key in master.finance and master.finance[key].has_values:
            first = master.finance[key].row.get("_row")
            raise MasterError(
                f"{path}: Savings rows {first} and {row.get('_row')} both hold finance figures for "
                f"{key[1]} in {key[0]}; keep them on one row and run again. {NOTHING_CHANGED}")
        reason = row.get(mc.ORPHANED)
        master.finance[key] = FinanceEntry(key[0], key[1], values, row,
                                           None if is_blank(reason) else str(reason))
    ledger_variances_of(rows)
