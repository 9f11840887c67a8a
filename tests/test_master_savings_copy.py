"""Savings' earlier quarters copied as bytes (master/savingscopy.py): a consolidate into a master
the tool wrote, whose Savings is on record, copies the rows of the quarters before the one it
consolidates, as far as they are what it would write again, and writes the same master, to the
byte, as a consolidate that reads and writes every row (no record: WORKBOOK_TOOLS_CACHE=off),
whatever finance did on the earlier quarters' rows."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from master_support import Q1, Q2, Folder, make_folder
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from support import set_cells
from test_master_keep import inject_formula

from workbook_tools.master import columns as mc
from workbook_tools.master import verbatim_copy, writerows
from workbook_tools.master.columns import MasterSheet
from workbook_tools.master.read import read_master
from workbook_tools.plan.register import load_plan
from workbook_tools.quarters import parse_quarter
from workbook_tools.returns.layout import SAVINGS
from workbook_tools.returns.read import read_return

Q3 = parse_quarter("2025-26-Q3")
SAVINGS_PART = f"xl/worksheets/sheet{list(mc.SHEETS).index('Savings') + 1}.xml"
AT = dt.datetime(2025, 10, 20, 9, 30)


def _sheet(folder: Folder) -> tuple[Any, Any, dict[str, str], list[tuple[str, str, int]]]:
    workbook = openpyxl.load_workbook(folder.master)
    sheet = workbook["Savings"]
    header = [c.value for c in sheet[1]]
    letter = {h: openpyxl.utils.get_column_letter(i + 1) for i, h in enumerate(header)}
    rows = [(sheet[f"{letter['Quarter']}{r}"].value, sheet[f"{letter['Saving ID']}{r}"].value,
             r) for r in range(2, sheet.max_row + 1)]
    return workbook, sheet, letter, rows


def entries(folder: Folder) -> None:
    """Finance's entries on every third row of both quarters, a comment, a column of theirs."""
    workbook, sheet, letter, rows = _sheet(folder)
    own = openpyxl.utils.get_column_letter(sheet.max_column + 1)
    sheet[f"{own}1"] = "Reviewer"
    for i, (_, _, r) in enumerate(rows[::3]):
        sheet[f"{letter['Finance confirmed (£)']}{r}"] = [1200.5, 0, -3.25, 7][i % 4]
        sheet[f"{letter['Finance status']}{r}"] = ["Confirmed", "Query", "R&D <check>"][i % 3]
        sheet[f"{letter['Finance note']}{r}"] = [dt.date(2025, 8, 3), "Chased\nagain", 12][i % 3]
        sheet[f"{own}{r}"] = ["A. Patel", None, 3.5][i % 3]
    sheet[f"{letter['Finance note']}{rows[4][2]}"].comment = Comment("Asked on 3 August", "Fin")
    sheet[f"{letter['Forecast (£)']}{rows[7][2]}"].comment = Comment("Queried", "Audit")
    workbook.save(folder.master)


def a_fill(folder: Folder) -> None:
    """Entries, and a colour finance gave one cell of a Q1 row: the copy ends before it."""
    entries(folder)
    workbook, sheet, letter, rows = _sheet(folder)
    sheet[f"{letter['Finance confirmed (£)']}{rows[10][2]}"].fill = PatternFill(
        "solid", fgColor="FFFF00")
    workbook.save(folder.master)


def a_formula(folder: Folder) -> None:
    """Entries, and a formula of finance's own on a Q2 row: the copy ends before it."""
    entries(folder)
    _, sheet, letter, rows = _sheet(folder)
    r = next(r for q, _, r in rows if q == str(Q2)) + 2
    ref = f"{letter['Finance adjustment (£)']}{r}"
    workbook = openpyxl.load_workbook(folder.master)
    workbook["Savings"][ref] = 2401
    workbook.save(folder.master)
    inject_formula(folder.master, SAVINGS_PART, ref, "2401",
                   f"{letter['Finance confirmed (£)']}{r}*2")


def orphans(folder: Folder) -> None:
    """Entries on a directorate's Q2 rows, then Q2 consolidated without its return: its Q2
    entries are kept in orphaned rows, where the copy ends."""
    entries(folder)
    _, _, letter, rows = _sheet(folder)
    gone = sorted(folder.returns(Q2).iterdir())[0]
    code = gone.name.split("_")[0]
    workbook = openpyxl.load_workbook(folder.master)
    sheet = workbook["Savings"]
    for q, _, r in rows:
        if q == str(Q2) and sheet[f"{letter['Directorate']}{r}"].value == code:
            sheet[f"{letter['Finance confirmed (£)']}{r}"] = 55.5
    workbook.save(folder.master)
    folder.consolidate(Q2, at=AT - dt.timedelta(days=2))
    shutil.move(gone, folder.root / gone.name)


def prepared(root: Path, edit: Callable[[Folder], None]) -> Folder:
    """A master of Q1 and Q2 with finance's work on it, written again by the tool twice (the
    second run copies from the first's write, so its record, Savings' too, is kept)."""
    folder = make_folder(root, (Q1, Q2, Q3))
    edit(folder)
    folder.consolidate(Q2, at=AT - dt.timedelta(days=1))
    folder.consolidate(Q2, at=AT - dt.timedelta(hours=1))
    return folder


def twin(folder: Folder, root: Path) -> Folder:
    shutil.copytree(folder.root, root)
    return Folder(root, load_plan(root / "templates" / "plan.xlsx"))


def both(folder: Folder, root: Path, quarter: Any, monkeypatch: pytest.MonkeyPatch,
         **options: Any) -> tuple[Folder, Folder]:
    """`quarter` consolidated in two copies of `folder`: Savings from the record (copied as
    far as it may be), and with no record (every row read and written)."""
    copied, written = twin(folder, root / "on"), twin(folder, root / "off")
    copied.consolidate(quarter, at=AT, **options)
    with monkeypatch.context() as env:
        env.setenv("WORKBOOK_TOOLS_CACHE", "off")
        written.consolidate(quarter, at=AT, **options)
    return copied, written


def copied_rows(folder: Folder, quarter: Any) -> int:
    """Savings' rows a consolidate of `quarter` copies as bytes (0: none)."""
    block = read_master(folder.master, touched={str(quarter)}).copies.get(MasterSheet.SAVINGS)
    return 0 if block is None else block.count


def rows_before(folder: Folder, quarter: Any) -> int:
    return sum(1 for q, _, _ in _sheet(folder)[3] if q < str(quarter))


@pytest.fixture
def copied_parts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The parts whose rows a write in this process copied as bytes (master/writerows.py),
    inflated or as stored (master/verbatim_copy.py's Splice)."""
    done: list[str] = []
    real, real_stored = writerows.copy, verbatim_copy.Splice.copy_into

    def counted(path: Any, block: Any, out: str) -> None:
        done.append(block.part)
        real(path, block, out)

    def counted_stored(splice: Any, out: Any, piece: int) -> None:
        done.append(splice.part)
        real_stored(splice, out, piece)

    monkeypatch.setattr(writerows, "copy", counted)
    monkeypatch.setattr(verbatim_copy.Splice, "copy_into", counted_stored)
    return done


@pytest.mark.parametrize("edit", [entries, a_fill, a_formula, orphans])
def test_earlier_quarters_of_savings_are_copied_and_the_master_is_the_same(
        tmp_path: Path, records: Path, monkeypatch: pytest.MonkeyPatch,
        edit: Callable[[Folder], None], copied_parts: list[str]) -> None:
    folder = prepared(tmp_path / "ws", edit)
    copied = copied_rows(folder, Q3)
    _, _, letter, rows = _sheet(folder)
    if edit is entries:
        assert copied == rows_before(folder, Q3)  # every row of Q1 and Q2
    elif edit is a_fill:
        assert copied == rows_before(folder, Q3)  # (a colour is kept as on a row written)
    else:
        assert 0 < copied < rows_before(folder, Q3)
        assert str(Q2) in {q for q, _, _ in rows[:copied]}
    copied_parts.clear()
    on, off = both(folder, tmp_path, Q3, monkeypatch)
    assert on.master.read_bytes() == off.master.read_bytes()
    assert copied_parts.count(SAVINGS_PART) == 1  # (the run with the record, not without)
    # and again, from the master just written (its record made with the rows copied)
    assert copied_rows(on, Q3) == copied
    again_on = twin(on, tmp_path / "again")
    again_on.consolidate(Q3, at=AT)
    with monkeypatch.context() as env:
        env.setenv("WORKBOOK_TOOLS_CACHE", "off")
        off.consolidate(Q3, at=AT)
    assert again_on.master.read_bytes() == off.master.read_bytes()


def test_a_ledger_for_a_copied_quarter_writes_its_rows_again(
        tmp_path: Path, records: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = prepared(tmp_path / "ws", entries)
    assert copied_rows(folder, Q3) == rows_before(folder, Q3)
    ledger = folder.root / "ledger.csv"
    ids = [s.id for s in folder.plan.savings[:2]]
    ledger.write_text(f"Saving ID,Quarter,Amount\n{ids[0]},{Q1},1500.5\n{ids[1]},{Q3},-20\n")
    on, off = both(folder, tmp_path, Q3, monkeypatch, ledger_csv=ledger)
    assert on.master.read_bytes() == off.master.read_bytes()
    savings = read_master(on.master).frame(MasterSheet.SAVINGS)
    q1 = savings[(savings["Quarter"] == str(Q1)) & (savings["Saving ID"] == ids[0])]
    assert q1["Ledger (£)"].tolist() == [1500.5]


def test_reconsolidating_a_quarter_copies_the_rows_before_it_only(
        tmp_path: Path, records: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = prepared(tmp_path / "ws", entries)
    assert copied_rows(folder, Q2) == rows_before(folder, Q2)
    on, off = both(folder, tmp_path, Q2, monkeypatch)
    assert on.master.read_bytes() == off.master.read_bytes()


def test_rows_copied_by_the_process_that_writes_half_the_sheets(
        tmp_path: Path, records: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from workbook_tools import parallel

    if not parallel.forks_in_two():
        pytest.skip("processes are not forked here")
    folder = prepared(tmp_path / "ws", entries)
    monkeypatch.setattr(writerows, "PARALLEL_CELLS", 0)
    on, off = both(folder, tmp_path, Q3, monkeypatch)
    assert on.master.read_bytes() == off.master.read_bytes()


@pytest.mark.parametrize("change", ["reversed", "one gone", "one new with a ledger line"])
def test_a_register_changed_sorts_and_writes_the_rows_again(
        tmp_path: Path, records: Path, monkeypatch: pytest.MonkeyPatch, change: str) -> None:
    """The register's savings in another order, one taken off it (its rows stay, last in
    their directorate), or one added with a ledger figure for a copied quarter (an orphaned row
    among the copied ones): the rows sorted again, no longer copied, written as they are."""
    folder = prepared(tmp_path / "ws", entries)
    assert copied_rows(folder, Q3) == rows_before(folder, Q3)
    savings = folder.plan.savings
    options: dict[str, Any] = {}
    if change == "reversed":
        savings = savings[::-1]
    elif change == "one gone":
        savings = (*savings[:3], *savings[4:])
    else:
        savings = (*savings, dataclasses.replace(savings[-1], id="NEW-SAVING"))
        options["ledger_csv"] = folder.root / "ledger.csv"
        options["ledger_csv"].write_text(f"Saving ID,Quarter,Amount\nNEW-SAVING,{Q1},99\n")
    plan = dataclasses.replace(folder.plan, savings=tuple(savings))
    on, off = both(folder, tmp_path, Q3, monkeypatch, plan=plan, **options)
    assert on.master.read_bytes() == off.master.read_bytes()


def test_a_ledger_variance_saved_from_a_figure_of_17_digits_is_not_copied(
        tmp_path: Path, records: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Delivered to date of 17 digits (0.1 + 0.2, as Excel saves a formula's result) with a
    ledger figure: the variance's saved value was worked out from it as it was, where a run
    writing the row again works it out from the figure read back (written with 16 digits)."""
    folder = prepared(tmp_path / "ws", entries)
    path = sorted(folder.returns(Q2).iterdir())[0]
    data = read_return(path).data
    assert data is not None
    saving = data.rows["Savings"][0]
    set_cells(path, {("Savings", SAVINGS.cell("delivered", saving["_row"])): 0.3})
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    part = "xl/worksheets/sheet4.xml"
    assert parts[part].count(b"<v>0.3</v>") == 1
    parts[part] = parts[part].replace(b"<v>0.3</v>", b"<v>0.30000000000000004</v>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    data = read_return(path).data
    assert data is not None and data.rows["Savings"][0]["delivered"] == 0.1 + 0.2
    ledger = folder.root / "ledger.csv"
    ledger.write_text(f"Saving ID,Quarter,Amount\n{saving['id']},{Q2},0.30\n")
    folder.consolidate(Q2, at=AT - dt.timedelta(minutes=30), ledger_csv=ledger)
    assert 0 < copied_rows(folder, Q3) < rows_before(folder, Q3)  # up to that row
    on, off = both(folder, tmp_path, Q3, monkeypatch)
    assert on.master.read_bytes() == off.master.read_bytes()


def notes(folder: Folder) -> None:
    """Entries, and notes in the long-text column Finance note: one the sample of rows the
    widths are worked out from takes in before Q3's rows are added, not after (write.py's
    WIDTH_SAMPLE lowered to 10, standing for a master of more than 1,000 Savings rows)."""
    entries(folder)
    workbook, sheet, letter, rows = _sheet(folder)
    sheet[f"{letter['Finance note']}{rows[15][2]}"] = "x" * 45
    sheet[f"{letter['Finance note']}{rows[12][2]}"] = "word " * 8
    workbook.save(folder.master)


def test_rows_whose_heights_were_worked_out_at_another_width_are_written_again(
        tmp_path: Path, records: Path, monkeypatch: pytest.MonkeyPatch,
        copied_parts: list[str]) -> None:
    from workbook_tools.master import write

    monkeypatch.setattr(write, "WIDTH_SAMPLE", 10)
    folder = prepared(tmp_path / "ws", notes)
    assert copied_rows(folder, Q3) == rows_before(folder, Q3)
    copied_parts.clear()
    on, off = both(folder, tmp_path, Q3, monkeypatch)
    assert on.master.read_bytes() == off.master.read_bytes()
    assert SAVINGS_PART not in copied_parts


@pytest.mark.parametrize("earlier,amount", [(-0.0, "0"), (True, "1")])
def test_a_ledger_figure_equal_to_a_copied_rows_but_written_otherwise(
        tmp_path: Path, records: Path, monkeypatch: pytest.MonkeyPatch, earlier: Any,
        amount: str) -> None:
    """The ledger's figure for a copied row equal to the one it holds, but not written the
    same (-0.0 against 0, TRUE typed by finance against 1): the rows are written again."""
    def edit(folder: Folder) -> None:
        entries(folder)
        workbook, sheet, letter, rows = _sheet(folder)
        _, saving, r = [row for row in rows if row[0] == str(Q1)][1]
        (folder.root / "saving.txt").write_text(saving)
        sheet[f"{letter['Ledger (£)']}{r}"] = earlier  # typed by finance
        workbook.save(folder.master)

    folder = prepared(tmp_path / "ws", edit)
    saving = (folder.root / "saving.txt").read_text()
    assert copied_rows(folder, Q3) == rows_before(folder, Q3)
    ledger = folder.root / "ledger.csv"
    ledger.write_text(f"Saving ID,Quarter,Amount\n{saving},{Q1},{amount}\n")
    on, off = both(folder, tmp_path, Q3, monkeypatch, ledger_csv=ledger)
    assert on.master.read_bytes() == off.master.read_bytes()


@pytest.mark.parametrize("edit", [entries, a_formula])
def test_savings_on_record_made_from_the_copied_rows_columns_is_made_from_every_value(
        tmp_path: Path, records: Path, monkeypatch: pytest.MonkeyPatch,
        edit: Callable[[Folder], None]) -> None:
    # the next record's Savings takes the copied rows' columns as the old record held them
    # (savingsrecord.SavingsRecord.coded): what it gives back is what every value gives
    from test_master_columncode import same_exactly

    from workbook_tools.master import record, savingsrecord
    from workbook_tools.master.safe import master_state

    folder = prepared(tmp_path / "ws", edit)
    real, used = savingsrecord._heads, []

    def heads(*args: Any) -> Any:
        used.append(real(*args))
        return used[-1]

    monkeypatch.setattr(savingsrecord, "_heads", heads)
    on = twin(folder, tmp_path / "on")
    on.consolidate(Q3, at=AT)
    assert used and used[-1] is not None and len(used[-1][0]) == copied_rows(folder, Q3)

    def savings_on_record(master: Path) -> Any:
        state = master_state(master)
        assert state is not None
        known = record.recall(state[2])
        assert known is not None and known.savings is not None
        return known.savings

    made = savings_on_record(on.master)
    monkeypatch.setattr(savingsrecord, "_heads", lambda *args: None)
    other = twin(folder, tmp_path / "other")
    other.consolidate(Q3, at=AT)
    assert other.master.read_bytes() == on.master.read_bytes()
    again = savings_on_record(other.master)
    assert made == again  # (every field; the columns' values equal)
    assert all(same_exactly(a, b) for a, b in zip(made.columns, again.columns, strict=True))


@pytest.mark.parametrize("reversed_register", [False, True])
def test_the_copied_savings_order_is_checked_on_the_records_columns(
        tmp_path: Path, records: Path, monkeypatch: pytest.MonkeyPatch,
        reversed_register: bool) -> None:
    # no copied row is orphaned: their order is worked out on the record's tables (numpy), as
    # the lean sheets' is, and a register in another order still sorts them again
    from workbook_tools.master import order

    folder = prepared(tmp_path / "ws", entries)
    real, checked = order._in_order, {}

    def in_order(rows: Any, columns: Any) -> Any:
        # (the sheet told by its ID column, the last of the keys)
        sheet = next(name for name, header in mc.ID_COLUMNS.items() if header == columns[-1][0])
        checked[sheet] = real(rows, columns)
        return checked[sheet]

    monkeypatch.setattr(order, "_in_order", in_order)
    savings = folder.plan.savings[::-1] if reversed_register else folder.plan.savings
    plan = dataclasses.replace(folder.plan, savings=tuple(savings))
    on, off = both(folder, tmp_path, Q3, monkeypatch, plan=plan)
    assert checked[MasterSheet.SAVINGS] is (not reversed_register)
    assert on.master.read_bytes() == off.master.read_bytes()


def test_the_copied_savings_ids_are_the_registers_and_so_are_the_records(
        tmp_path: Path, records: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Savings' copied rows hold the register's own IDs and names, and the columns the record
    # held (the block's Coded, carried to the next record) hold those same objects: the
    # record's own copies of them are let go
    from workbook_tools.master import consolidate as consolidating

    folder = prepared(tmp_path / "ws", entries)
    held: dict[str, Any] = {}
    write = consolidating.write_safely

    def capture(master: Any, *args: Any, **kwargs: Any) -> Any:
        held["rows"] = master.sheets[MasterSheet.SAVINGS]
        held["block"] = master.copies.get(MasterSheet.SAVINGS)
        return write(master, *args, **kwargs)

    monkeypatch.setattr(consolidating, "write_safely", capture)
    folder.consolidate(Q3, at=AT)
    rows, block = held["rows"], held["block"]
    assert block is not None and block.coded is not None and rows.count == block.count
    ids = {s.id: s.id for s in folder.plan.savings}
    at = rows.positions["Saving ID"]
    assert all(v is ids[v] for v in rows.columns[at])
    coded = block.coded[at]
    assert all(coded.table[p] is ids[coded.table[p]] for p in set(coded.places))


@pytest.mark.parametrize(("quarters", "ids", "expected"), [
    # a saving twice in a quarter: the rows are copyable up to its second row
    (["2025-26-Q1"] * 3 + ["2025-26-Q2"] * 3, ["A", "B", "C", "A", "B", "B"], 5),
    (["2025-26-Q1"] * 3, ["A", "B", "A"], 2),
    # the same saving in each quarter is not twice in one
    (["2025-26-Q1"] * 2 + ["2025-26-Q2"] * 2, ["A", "B", "B", "A"], 4),
    # a quarter out of time order ends the rows copyable first
    (["2025-26-Q2", "2025-26-Q1", "2025-26-Q1"], ["A", "A", "A"], 1),
])
def test_savings_rows_are_copyable_up_to_a_saving_twice_in_its_quarter(
        quarters: list[str], ids: list[str], expected: int) -> None:
    from workbook_tools.master.savingscopy import SAVING_ID, copyable

    header = [mc.QUARTER, SAVING_ID, mc.ORPHANED]
    columns = [list(quarters), list(ids), [None] * len(ids)]
    assert copyable(header, columns, list(quarters), set()) == expected
