"""Savings from the record of a master the tool wrote (master/savingsrecord.py): a consolidate into
it takes Savings as a read of the file gives it (finance's entries, comments, formats, formulas,
the ledger, orphaned rows) without reading the sheet's XML, and writes the same master."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
import zlib
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import Q1, Q2
from master_support import Folder, make_folder
from test_master_keep import inject_formula
from test_master_record import read_off, same

from workbook_tools.files import guard
from workbook_tools.master import columncode, record, savingsentry
from workbook_tools.master import columns as mc
from workbook_tools.master.columns import MasterSheet
from workbook_tools.master.periods import close_quarter
from workbook_tools.master.read import read_master
from workbook_tools.master.safe import master_state
from workbook_tools.master.savingscopy import as_dicts


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every sheet of a master calamine or the guard's scan reads (not of a return)."""
    done: list[str] = []
    scan, read = guard.SafeWorkbook.scan, guard.SafeWorkbook.read

    def scanned(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        if self.path.name == "master.xlsx":
            done.append(name)
        return scan(self, name, *args, **kwargs)

    def was_read(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        if self.path.name == "master.xlsx":
            done.append(name)
        return read(self, name, *args, **kwargs)

    monkeypatch.setattr(guard.SafeWorkbook, "scan", scanned)
    monkeypatch.setattr(guard.SafeWorkbook, "read", was_read)
    return done


def _rows(sheet: Any) -> dict[tuple[str, str], int]:
    header = [c.value for c in sheet[1]]
    q, s = header.index("Quarter") + 1, header.index("Saving ID") + 1
    return {(sheet.cell(r, q).value, sheet.cell(r, s).value): r
            for r in range(2, sheet.max_row + 1) if sheet.cell(r, q).value}


def finance_edits(folder: Folder) -> None:
    """Finance's work on the master, as openpyxl saves it: entries of every kind on both
    quarters' rows, a formula, comments, formats, a column of their own and a hidden one."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    workbook = openpyxl.load_workbook(folder.master)
    savings = workbook["Savings"]
    header = [c.value for c in savings[1]]
    letter = {h: openpyxl.utils.get_column_letter(i + 1) for i, h in enumerate(header)}
    own = savings.max_column + 1
    savings.cell(1, own).value = "Reviewer"
    at = _rows(savings)
    keys = sorted(at)
    confirmed, adjustment, status, note = (letter[h] for h in (
        "Finance confirmed (£)", "Finance adjustment (£)", "Finance status", "Finance note"))
    for i, key in enumerate(keys[::2]):
        r = at[key]
        savings[f"{confirmed}{r}"] = [1200.5, 0, -3.25, 1e15, 7][i % 5]
        savings[f"{status}{r}"] = ["Confirmed", "Query", "  ", "R&D <check>", ""][i % 5]
        savings[f"{note}{r}"] = [dt.date(2025, 8, 3), "Chased\nagain", None, 12, " spaced "][i % 5]
        savings.cell(r, own).value = ["A. Patel", None, 3.5][i % 3]
    r = at[keys[3]]
    savings[f"{adjustment}{r}"] = 2401  # given its formula below, with this value saved
    savings[f"{adjustment}{r}"].number_format = "#,##0.00"
    savings[f"{confirmed}{at[keys[5]]}"].fill = PatternFill("solid", fgColor="FFFF00")
    savings[f"{confirmed}{at[keys[5]]}"].font = Font(bold=True)
    savings[f"{status}{at[keys[6]]}"].fill = PatternFill("solid", fgColor="ffc7ce")
    savings[f"{note}{at[keys[7]]}"].comment = Comment("Asked J. Smith on 3 August", "Finance")
    savings[f"{letter['Forecast (£)']}{at[keys[8]]}"].comment = Comment("Queried", "Audit")
    savings[f"{note}{at[keys[9]]}"].comment = Comment("No author & <tags>", "")
    savings.column_dimensions[openpyxl.utils.get_column_letter(own)].width = 30
    savings.column_dimensions[letter["Theme"]].hidden = True
    workbook.save(folder.master)
    part = f"xl/worksheets/sheet{list(mc.SHEETS).index('Savings') + 1}.xml"
    inject_formula(folder.master, part, f"{adjustment}{r}", "2401", f"{confirmed}{r}*2")


def ledger(folder: Folder) -> Path:
    path = folder.root / "ledger.csv"
    ids = [s.id for s in folder.plan.savings[:3]]
    path.write_text("Saving ID,Quarter,Amount\n" + "".join(
        f"{i},{q},{a}\n" for i, q, a in ((ids[0], Q1, 1500.5), (ids[1], Q2, -1000),
                                         (ids[2], Q2, 250))))
    return path


def written_by_the_tool(root: Path) -> Folder:
    """A master of two quarters the tool wrote with finance's work on it: a closed quarter,
    orphaned rows (a return gone) and the ledger; its record kept."""
    folder = make_folder(root, (Q1, Q2))
    folder.consolidate(Q1)
    folder.consolidate(Q2, ledger_csv=ledger(folder))
    finance_edits(folder)
    close_quarter(folder.master, Q1, "Year to date signed off", now=dt.datetime(2025, 7, 21))
    gone = next(folder.returns(Q2).iterdir())
    shutil.move(gone, folder.root / gone.name)
    folder.consolidate(Q2, at=dt.datetime(2025, 7, 22))
    folder.consolidate(Q2, at=dt.datetime(2025, 7, 23))  # read from the master it wrote
    return folder


def test_savings_from_the_record_is_what_a_read_of_the_file_gives(
        tmp_path: Path, records: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    folder = written_by_the_tool(tmp_path / "ws")
    state = master_state(folder.master)
    assert state is not None
    known = record.recall(state[2])
    assert known is not None and known.savings is not None
    assert known.savings.cells  # formulas, comments and formats recorded
    for quarter in (str(Q2), "2025-26-Q3", str(Q1)):
        reads.clear()
        recorded = read_master(folder.master, touched={quarter})
        assert MasterSheet.SAVINGS not in reads
        full = read_off(folder.master, {quarter}, monkeypatch)
        same(recorded, full)
        rows = full.sheets[MasterSheet.SAVINGS]
        assert any(r["Orphaned"] for r in rows) and any(r["Ledger (£)"] for r in rows)
        assert any(r.get("_cells") for r in rows) and full.finance
        assert {type(r["Finance note"]) for r in rows} >= {str, float, dt.date, type(None)}


def test_consolidating_with_savings_from_the_record_writes_the_same_master(
        tmp_path: Path, records: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    folder = written_by_the_tool(tmp_path / "ws")
    other = Folder(tmp_path / "other", folder.plan)
    shutil.copytree(folder.root, other.root)
    reads.clear()
    first = folder.consolidate(Q2, at=dt.datetime(2025, 7, 24))
    assert MasterSheet.SAVINGS not in reads
    with monkeypatch.context() as env:
        env.setenv("WORKBOOK_TOOLS_CACHE", "off")
        second = other.consolidate(Q2, at=dt.datetime(2025, 7, 24))
    assert first.notes == second.notes and first.orphaned == second.orphaned
    assert folder.master.read_bytes() == other.master.read_bytes()


@pytest.mark.parametrize("value", [
    "a control\x01 character", "an _x0041_ escape", "a carriage\r return",
    dt.datetime(2025, 8, 3, 12, 30), dt.date(1900, 1, 5)])
def test_a_value_whose_reading_back_is_not_certain_gives_no_savings_record(
        tmp_path: Path, records: Path, value: Any) -> None:
    folder = make_folder(tmp_path / "ws", (Q1, Q2))
    folder.consolidate(Q1)
    master = read_master(folder.master)
    master.sheets[MasterSheet.SAVINGS][0]["Finance note"] = value
    from workbook_tools.master.write import write_master

    found = write_master(master, folder.root / "again.xlsx", make_record=True)
    assert found is not None and found[1].savings_entry is None
    master.sheets[MasterSheet.SAVINGS][0]["Finance note"] = "plain"
    found = write_master(master, folder.root / "again.xlsx", make_record=True)
    assert found is not None and found[1].savings_entry is not None
    # (kept deflated a piece at a time until it is written: the text entry_pieces gives)
    text = b"".join(map(zlib.decompress, found[1].savings_entry))
    again = savingsentry.decode(json.loads(text))
    assert again is not None and again.count == len(master.sheets[MasterSheet.SAVINGS])
    assert b"".join(savingsentry.entry_pieces(again) or ()) == text


def test_an_entry_whose_savings_is_not_of_its_shape_is_a_miss(
        tmp_path: Path, records: Path) -> None:
    folder = written_by_the_tool(tmp_path / "ws")
    state = master_state(folder.master)
    assert state is not None
    known = record.recall(state[2])
    assert known is not None and known.savings is not None
    pieces = savingsentry.entry_pieces(known.savings)
    assert pieces is not None
    good = json.loads(b"".join(pieces))
    assert savingsentry.decode(good) == known.savings
    breakages = [
        lambda d: d.update(count=d["count"] + 1),
        lambda d: d["columns"][0][0].pop(),  # a place past the values
        lambda d: d["columns"][0].__setitem__(1, "not base64!"),
        lambda d: d["columns"][0].__setitem__(1, d["columns"][0][1][:-4]),  # a column short
        lambda d: d["columns"][0][0].append(5),  # a whole number
        lambda d: d["columns"][0].append([]),
        lambda d: d["columns"][0][0].append(1.5e400),
        lambda d: d["columns"][0][0].append([2025, 2, 30]),
        lambda d: d["columns"][0][0].append([2025, 2]),
        lambda d: d["columns"].__setitem__(0, "text"),
        lambda d: d["columns"].pop(),
        lambda d: d["cells"].append([1, 0, None, None, None, None]),
        lambda d: d["cells"].append([5, 0, None, None, None, [["fill", "#FF0000"]]]),
        lambda d: d["looks"].append([0, 12, False]),
        lambda d: d.update(header=d["header"][:-1]),
        lambda d: d.pop("looks"),
        lambda d: d.update(count=2**40),  # would ask for a column of a trillion rows
        lambda d: d.update(count=2**63),  # past what an index holds
        lambda d: d.update(crc=-5),
        lambda d: d.update(size="12"),
        lambda d: d.pop("crc"),
    ]
    for breaking in breakages:
        import copy

        data = copy.deepcopy(good)
        breaking(data)
        assert savingsentry.decode(data) is None


@pytest.mark.parametrize("change", ["a whole number", "a date with a time", "an infinity",
                                    "a column short", "a width as a whole number",
                                    "a cell on the header row"])
def test_a_savings_record_its_entry_would_not_give_back_is_not_kept(
        tmp_path: Path, records: Path, change: str) -> None:
    import dataclasses

    from workbook_tools.files.extras import ColumnLook

    folder = written_by_the_tool(tmp_path / "ws")
    state = master_state(folder.master)
    assert state is not None
    known = record.recall(state[2])
    assert known is not None and known.savings is not None
    savings = known.savings
    columns = [list(column) for column in savings.columns]
    looks, cells = dict(savings.looks), list(savings.cells)
    if change == "a whole number":
        columns[9][0] = 7
    elif change == "a date with a time":
        columns[18][0] = dt.datetime(2025, 8, 3, 9, 0)
    elif change == "an infinity":
        columns[9][0] = float("inf")
    elif change == "a column short":
        columns[9] = columns[9][1:]
    elif change == "a width as a whole number":
        looks[0] = ColumnLook(12, False)  # type: ignore[arg-type]
    elif change == "a cell on the header row":
        cells.append((1, 0, None, "note", None, None))
    changed = record.Record(known.sheets, dataclasses.replace(
        savings, columns=columns, looks=looks, cells=cells))
    record.keep("c" * 64, changed)
    path = record.entry_path("c" * 64)
    assert path is not None and not path.exists()
    record.keep("d" * 64, known)
    back = record.recall("d" * 64)
    assert back is not None and back.savings == savings


def test_an_entry_of_another_master_put_under_this_ones_name_gives_its_savings_by_a_read(
        tmp_path: Path, records: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """An entry is found by the master's SHA-256; one put in its place (an earlier master's,
    copied over or planted) whose Savings part is not this file's is not taken for Savings."""
    folder = written_by_the_tool(tmp_path / "ws")
    state = master_state(folder.master)
    assert state is not None
    path = record.entry_path(state[2])
    assert path is not None and path.exists()
    full = read_off(folder.master, {str(Q2)}, monkeypatch)
    others = [other for other in path.parent.glob("*.json") if other != path]
    differ = 0
    for other in others:
        known = record.recall(other.name.split("-")[0])
        if known is None or known.savings is None:
            continue
        differ += known.savings.count != len(full.sheets[MasterSheet.SAVINGS])
        path.write_bytes(other.read_bytes())
        path.chmod(0o600)
        got = read_master(folder.master, touched={str(Q2)})
        assert as_dicts(got.sheets[MasterSheet.SAVINGS], got.headers[MasterSheet.SAVINGS]
                        ) == full.sheets[MasterSheet.SAVINGS]
        assert {k: e.values for k, e in got.finance.items()} == {
            k: e.values for k, e in full.finance.items()}
    assert differ  # an earlier master's Savings had other rows: the test can fail


@pytest.mark.parametrize("count", [2**40, 2**63])
def test_an_entry_with_an_impossible_row_count_is_a_miss_not_a_crash(
        tmp_path: Path, records: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch,
        count: int) -> None:
    import json

    folder = written_by_the_tool(tmp_path / "ws")
    state = master_state(folder.master)
    assert state is not None
    path = record.entry_path(state[2])
    assert path is not None
    data = json.loads(path.read_text())
    data["savings"]["count"] = count
    data["savings"]["columns"] = [[[None], ""] for _ in data["savings"]["columns"]]
    path.write_text(json.dumps(data))
    path.chmod(0o600)
    reads.clear()
    got = read_master(folder.master, touched={str(Q2)})
    assert MasterSheet.SAVINGS in reads  # read from the file
    assert as_dicts(got.sheets[MasterSheet.SAVINGS], got.headers[MasterSheet.SAVINGS]) == read_off(
        folder.master, {str(Q2)}, monkeypatch).sheets[MasterSheet.SAVINGS]


def test_numbers_from_the_record_are_held_once_and_given_back_exactly(
        tmp_path: Path, records: Path) -> None:
    """A target the same every quarter is one number in memory, not one per row (issue 16:
    memory), and a -0 still reads back as -0."""
    import copy
    import math

    folder = written_by_the_tool(tmp_path / "ws")
    state = master_state(folder.master)
    assert state is not None
    known = record.recall(state[2])
    assert known is not None and known.savings is not None
    pieces = savingsentry.entry_pieces(known.savings)
    good = json.loads(b"".join(pieces) if pieces is not None else "null")
    col = good["header"].index("Target (£)")
    count = good["count"]
    assert count >= 3
    for values in ([1250.5] * count, [-0.0, 0.0, *[1250.5] * (count - 2)]):
        data = copy.deepcopy(good)
        data["columns"][col] = json.loads(json.dumps(columncode.encode((values,))))
        found = savingsentry.decode(data)
        assert found is not None
        column = found.columns[col]
        assert column == values
        assert [math.copysign(1.0, v) for v in column] == [math.copysign(1.0, v) for v in values]
        assert len({id(v) for v in column if v == 1250.5}) == 1


def test_an_entry_read_in_two_parts_gives_what_the_whole_entry_holds(
        tmp_path: Path, records: Path) -> None:
    """recall parses an entry's Savings part, then each sheet's (record._parsed), not the whole
    text at once: the record is the one the whole entry gives, a text holding what looks like
    the key Savings' part starts at changes nothing, and a damaged part is a miss."""
    folder = written_by_the_tool(tmp_path / "ws")
    state = master_state(folder.master)
    assert state is not None
    path = record.entry_path(state[2])
    assert path is not None
    text = path.read_bytes()
    assert text.count(b',"savings":') == 1 and text.endswith(b"}")
    known = record.recall(state[2])
    assert known is not None and known.savings is not None and known.sheets
    data = json.loads(text)
    # the rest as keep writes it: each sheet's part found and parsed on its own
    by_sheet = record._by_sheet(bytearray(text[:text.rfind(b',"savings":')] + b"}"))
    assert isinstance(by_sheet, record.Record) and by_sheet.sheets == known.sheets

    def kept_as(name: str, entry: str) -> Any:
        other = path.with_name(name * 64 + path.name[64:])
        other.write_text(entry, encoding="utf-8")
        other.chmod(0o600)
        return record.recall(name * 64)

    # the same entry as the standard library writes it (", " and ": "): parsed whole
    whole = kept_as("e", json.dumps(data))
    assert whole is not None and whole.sheets == known.sheets and whole.savings == known.savings
    # a header and a comment holding the key as text: escaped in JSON, not where it is cut
    tricky = json.loads(text)
    tricky["savings"]["cells"].append([3, 2, None, ',"savings":{"x":1}', "me", None])
    sheet = next(iter(tricky["sheets"]))  # (and a sheet's key, where each sheet's part is cut)
    table = tricky["sheets"][sheet]["cells"][-1][0]
    table[0] = ',"Measures":{"part":"x"},"ordered":null}'
    wanted = dataclasses.replace(known.sheets[sheet])
    wanted.cells = [*known.sheets[sheet].columns()[:-1], [
        table[0] if v == known.sheets[sheet].columns()[-1][0] else v
        for v in known.sheets[sheet].columns()[-1]]]
    compact = json.dumps(tricky, separators=(",", ":"), ensure_ascii=False)
    assert compact.count(',"savings":') == 1
    back = kept_as("f", compact)
    assert back is not None and back.savings is not None and set(back.sheets) == set(known.sheets)
    assert all(back.sheets[n] == known.sheets[n] for n in known.sheets if n != sheet)
    assert back.savings.cells[-1][3] == ',"savings":{"x":1}'
    assert back.sheets[sheet].columns() == wanted.cells
    # damaged in either part, or cut short: a miss, never a record of the other part alone
    broken = json.loads(text)
    broken["savings"]["count"] = -1
    assert kept_as("1", json.dumps(broken, separators=(",", ":"))) is None
    broken = json.loads(text)
    broken["sheets"]["Measures"]["start"] = -1
    assert kept_as("2", json.dumps(broken, separators=(",", ":"))) is None
    assert kept_as("3", text.decode()[:-1]) is None
    assert kept_as("4", text.decode().replace(',"savings":', ',"savings":null,"x":')) is None


def test_the_last_savings_key_is_found_reading_from_the_end_a_piece_at_a_time(
        tmp_path: Path) -> None:
    """recall reads an entry's Savings part first, found by the last ',"savings":' read from
    the file's end a piece at a time: found wherever it falls against the pieces (across two,
    at the very start or end), and the last of several."""
    import random

    key = b',"savings":'
    pick = random.Random(7)
    path = tmp_path / "entry"
    for _ in range(300):
        pieces = [bytes(pick.choice(b'ab,":s{}') for _ in range(pick.randrange(30)))
                  for _ in range(pick.randrange(1, 4))]
        data = key.join(pieces) if pick.random() < 0.8 else pieces[0]
        path.write_bytes(data)
        with open(path, "rb") as handle:
            for piece in (1, 3, len(key) - 1, len(key), 16, 1 << 20):
                assert record._last(handle, len(data), key, piece) == data.rfind(key)
