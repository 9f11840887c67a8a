"""The record of the masters the tool wrote (master/record.py): consolidating into a master the
tool wrote takes what the copy's scan would find from the record, and finds exactly what the
scan finds (every sheet's rows, their values and types, the blocks copied), so the master it
writes is the same file, byte for byte; a master whose bytes changed, an entry not of its shape
and a cache folder others can write to are all scanned as before."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import shutil
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from master_support import Q1, Q2, Folder, as_stored, make_folder
from support import libreoffice_save, needs_libreoffice

from workbook_tools.demo import run_demo
from workbook_tools.errors import MasterError
from workbook_tools.files.xlsx import Saved
from workbook_tools.master import columns as mc
from workbook_tools.master import record, recorder, verbatim
from workbook_tools.master.columns import MasterSheet
from workbook_tools.master.read import Master, read_master
from workbook_tools.master.recorder import recorded
from workbook_tools.master.safe import master_state, write_safely
from workbook_tools.master.savingscopy import as_dicts
from workbook_tools.master.sheetrow import Row
from workbook_tools.plan.register import load_plan
from workbook_tools.quarters import parse_quarter

Q3 = parse_quarter("2025-26-Q3")
#: The lean sheets these masters have rows on (Validation has none: nothing to record).
RECORDED = {MasterSheet.SUBMISSIONS, MasterSheet.MEASURES, MasterSheet.ACTIONS, MasterSheet.RISKS}
TOUCHED = ("2024-25-Q2", "2025-26-Q1", "2025-26-Q2", "2025-26-Q3", "2026-27-Q1")


@pytest.fixture
def scans(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every sheet the copy's scan reads (master/verbatim.py)."""
    done: list[str] = []
    real = verbatim.scan

    def counted(archive: Any, part: str, name: str, *args: Any, **kwargs: Any) -> Any:
        done.append(name)
        return real(archive, part, name, *args, **kwargs)

    monkeypatch.setattr(verbatim, "scan", counted)
    return done


def read_off(path: Path, touched: set[str], monkeypatch: pytest.MonkeyPatch) -> Master:
    with monkeypatch.context() as env:
        env.setenv("WORKBOOK_TOOLS_CACHE", "off")
        return read_master(path, touched=touched)


def same(a: Master, b: Master) -> None:
    """The same master, to the type of each value and the row each was read from (Savings'
    rows copied as bytes from the record, master/savingscopy.py, as the dicts a read gives)."""
    for master in (a, b):
        if master.copies.pop(MasterSheet.SAVINGS, None) is not None:
            master.sheets[MasterSheet.SAVINGS] = as_dicts(master.sheets[MasterSheet.SAVINGS],
                                                          master.headers[MasterSheet.SAVINGS])
    assert a.copies == b.copies
    assert a.headers == b.headers and a.columns == b.columns and a.notes == b.notes
    assert {k: e.values for k, e in a.finance.items()} == {k: e.values for k, e in
                                                            b.finance.items()}
    for name in mc.SHEETS:
        left, right = a.sheets[name], b.sheets[name]
        assert len(left) == len(right), name
        for x, y in zip(left, right, strict=True):
            assert type(x) is type(y), name
            if x.__class__ is Row:
                assert (x.read_at, x.copied, x.cells) == (y.read_at, y.copied, y.cells)
                assert [(type(v), v) for v in x] == [(type(v), v) for v in y], (name, x.read_at)
            else:
                assert {k: (type(v), v) for k, v in x.items()} == \
                    {k: (type(v), v) for k, v in y.items()}, name


def two_quarters(root: Path) -> Folder:
    """A master the tool wrote holding Q1 and Q2 (Q3's returns filled in)."""
    folder = make_folder(root, (Q1, Q2, Q3))
    folder.consolidate(Q1)
    folder.consolidate(Q2)
    return folder


@pytest.mark.parametrize("chunk", [recorder.CHUNK_ROWS, 3])
def test_a_master_the_tool_wrote_is_read_from_its_record_exactly(
        tmp_path: Path, records: Path, scans: list[str],
        monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    """(`chunk`: the rows written anew whose cells are coded at a time as the record is made,
    master/columncoder.py: the master's in one, and in many)"""
    monkeypatch.setattr(recorder, "CHUNK_ROWS", chunk)
    folder = two_quarters(tmp_path / "ws")
    assert list(records.iterdir())  # one for each master written
    for quarter in TOUCHED:
        scans.clear()
        recorded = read_master(folder.master, touched={quarter})
        assert not RECORDED & set(scans)  # from the record: none of them scanned
        same(recorded, read_off(folder.master, {quarter}, monkeypatch))
    assert read_master(folder.master, touched={str(Q3)}).copies[MasterSheet.MEASURES].complete


def test_an_entry_made_a_column_at_a_time_is_orjsons_text_of_the_whole(
        tmp_path: Path, records: Path) -> None:
    """The entry of the lean sheets is made a column's text at a time (record.encoded), each
    column's places put in as their base64 bytes: the very text orjson gives the whole entry,
    which the next run reads back as the record."""
    import orjson

    from workbook_tools.files.package import sha256_of
    from workbook_tools.master import columncode

    folder = two_quarters(tmp_path / "ws")
    known = record.recall(sha256_of(folder.master))
    assert known is not None and len(known.sheets) >= 3
    whole = record.encode(known)
    for name, sheet in known.sheets.items():
        whole["sheets"][name]["cells"] = [columncode.encode(p) for p in sheet.pieces()]
    assert sum(len(whole["sheets"][name]["cells"]) for name in known.sheets) >= 10
    assert b"".join(record.encoded(known)) + b"}" == orjson.dumps(whole)


def test_a_record_is_made_when_a_write_copied_earlier_quarters_only(
        tmp_path: Path, records: Path) -> None:
    """A master written without copying (a first consolidate, into a new master or one finance
    saved; a close) gets no record, which would cost a match of every row; the next consolidate
    copies from it and keeps one, which the run after it reads."""
    folder = make_folder(tmp_path / "ws", (Q1, Q2))
    folder.consolidate(Q1)
    assert not records.exists() or not list(records.iterdir())
    folder.consolidate(Q2)  # copies Q1's rows from the master the first run wrote
    assert len(list(records.iterdir())) == 1


def test_the_demos_master_is_read_from_its_record_exactly(
        tmp_path: Path, records: Path, scans: list[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    run_demo(tmp_path / "demo")  # two years, a year end, quarters consolidated again
    master = tmp_path / "demo" / "outputs" / "master.xlsx"
    for quarter in (*TOUCHED, "2026-27-Q2"):
        scans.clear()
        recorded = read_master(master, touched={quarter})
        assert not RECORDED & set(scans)
        same(recorded, read_off(master, {quarter}, monkeypatch))


def test_consolidating_with_the_record_writes_the_same_master(
        tmp_path: Path, records: Path, scans: list[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    folder = two_quarters(tmp_path / "ws")
    other = Folder(tmp_path / "other", folder.plan)
    shutil.copytree(folder.root, other.root)
    scans.clear()
    folder.consolidate(Q3)
    assert not RECORDED & set(scans)
    with monkeypatch.context() as env:
        env.setenv("WORKBOOK_TOOLS_CACHE", "off")
        other.consolidate(Q3)
    assert scans  # scanned without the record
    assert folder.master.read_bytes() == other.master.read_bytes()
    # the next run into either finds the one record of those bytes
    scans.clear()
    recorded = read_master(folder.master, touched={"2025-26-Q4"})
    assert not RECORDED & set(scans)
    same(recorded, read_off(other.master, {"2025-26-Q4"}, monkeypatch))


LONG = "Long commentary. " * 2500  # longer than a cell holds: cut
#: Values no return would give, put on a row of each lean sheet (row index: column: value).
HOSTILE: dict[str, dict[str, Any]] = {
    "an ampersand in a read text": {"Directorate": "R&D"},
    "angle brackets in a read text": {"Measure ID": "<M1>"},
    "an escape in a read text": {"Measure ID": "M_x000D_1"},
    "a control character in a read text": {"Directorate": "DIR\x01"},
    "a carriage return in a read text": {"Polarity": "Higher\ris better"},
    "a date in a Target": {"Target": dt.date(2025, 3, 31)},
    "a blank ID": {"Measure ID": None},
    "a space-first ID": {"Measure ID": " M1"},
    "a number as the ID": {"Measure ID": 17.0},
    "long texts": {"Commentary": LONG, "Measure": LONG},
    "hostile texts not read": {"Commentary": "a & b < c _x0041_ \x02 \r\n]]>",
                               "Remedial action": "\t"},
    "a quarter not canonical": {"Quarter": "2025/26 Q1"},
    "an earlier year out of order": {"Quarter": "2024-25-Q3"},
    "a quarter not a quarter": {"Quarter": "Q1"},
}


def hostile_master(folder: Folder, edits: dict[str, Any]) -> None:
    """The folder's master (Q1 and Q2) written again by the tool with earlier years' rows before
    them and `edits` on a Q1 row of Measures, and texts no return would give on the others."""
    master = read_master(folder.master)
    year_ago = {"2025-26-Q1": "2024-25-Q1", "2025-26-Q2": "2024-25-Q4"}
    for name in (MasterSheet.SUBMISSIONS, MasterSheet.MEASURES, MasterSheet.ACTIONS,
                 MasterSheet.RISKS):
        rows = master.sheets[name]
        earlier = [dict(r, Quarter=year_ago[r["Quarter"]]) for r in rows[:6]]
        master.sheets[name] = earlier + rows
        rows = master.sheets[name]
        for header in mc.SHEETS[name][1:3]:
            rows[len(rows) // 2][header] = "Planning & <Regeneration> \x03 _x0042_"
    measures = master.sheets[MasterSheet.MEASURES]
    measures[9].update(edits)
    before = master_state(folder.master)
    write_safely(master, folder.master, folder.backups, dt.datetime(2025, 7, 1), before)
    # a write that copied nothing keeps no record: made here as a consolidate run again would
    found = recorded(master, folder.master, Saved(as_stored(folder.master)))
    assert found is not None
    record.keep(*found)


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_values_in_a_master_the_tool_wrote_are_read_as_the_scan_reads_them(
        tmp_path: Path, records: Path, scans: list[str], monkeypatch: pytest.MonkeyPatch,
        case: str) -> None:
    folder = two_quarters(tmp_path / "ws")
    hostile_master(folder, HOSTILE[case])
    for quarter in TOUCHED:
        scans.clear()
        recorded = read_master(folder.master, touched={quarter})
        assert MasterSheet.MEASURES not in scans  # from the record
        same(recorded, read_off(folder.master, {quarter}, monkeypatch))


@pytest.mark.parametrize("case", ["a quarter not canonical", "an escape in a read text",
                                  "long texts"])
def test_a_quarter_consolidated_again_after_a_later_one_writes_the_same_master(
        tmp_path: Path, records: Path, monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    folder = two_quarters(tmp_path / "ws")
    hostile_master(folder, HOSTILE[case])
    other = Folder(tmp_path / "other", folder.plan)
    shutil.copytree(folder.root, other.root)
    for quarter in (Q1, Q3, Q2):  # Q1 again after Q2, then a new quarter, then Q2 again
        folder.consolidate(quarter)
        with monkeypatch.context() as env:
            env.setenv("WORKBOOK_TOOLS_CACHE", "off")
            other.consolidate(quarter)
        assert folder.master.read_bytes() == other.master.read_bytes(), quarter


def rezipped(path: Path, part: str, edit: Any) -> None:
    """The master with one part's bytes edited, every other member as it was."""
    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in members:
            out.writestr(info, edit(data) if info.filename == part else data)


@pytest.mark.parametrize("change", [
    "one byte", "saved by openpyxl",
    pytest.param("saved by LibreOffice", marks=needs_libreoffice)])
def test_a_master_whose_bytes_changed_is_scanned_again(
        tmp_path: Path, records: Path, scans: list[str], monkeypatch: pytest.MonkeyPatch,
        change: str) -> None:
    folder = two_quarters(tmp_path / "ws")
    if change == "one byte":
        rezipped(folder.master, "docProps/core.xml", lambda d: d.replace(b"<", b" <", 1))
    elif change == "saved by LibreOffice":
        saved = libreoffice_save(folder.master, tmp_path / "saved")
        shutil.copyfile(saved, folder.master)
    else:  # finance's entry typed and saved
        workbook = openpyxl.load_workbook(folder.master)
        header = [c.value for c in workbook["Savings"][1]]
        workbook["Savings"].cell(2, header.index("Finance confirmed (£)") + 1).value = 99
        workbook.save(folder.master)
    scans.clear()
    found = read_master(folder.master, touched={str(Q3)})
    assert MasterSheet.MEASURES in scans or change != "one byte"  # (the others copy none)
    same(found, read_off(folder.master, {str(Q3)}, monkeypatch))


def the_entry(records: Path) -> Path:
    return max(records.iterdir(), key=lambda p: p.stat().st_mtime_ns)


def forge_texts(data: dict[str, Any]) -> None:
    """Every text of the lean sheets' columns in an entry made 'Forged' (master/columncode.py:
    a column is its distinct values, then each cell's place among them)."""
    for sheet in data["sheets"].values():
        for column in sheet["cells"]:
            column[0] = ["Forged" if type(v) is str else v for v in column[0]]


def shorter(places: str) -> str:
    """A column's places (base64) less their last byte."""
    return base64.b64encode(base64.b64decode(places)[:-1]).decode("ascii")


@pytest.mark.parametrize("damage", ["not json", "{}", "[]", "truncated",
                                    "a whole number among the values",
                                    "a place past the values", "places not base64",
                                    "a short column", "a column not a pair",
                                    "a quarter not canonical", "negative rows", "a bad digest",
                                    "a bad part digest", "no part digest",
                                    "rows past the block", "an unknown sheet"])
def test_an_entry_not_of_its_shape_is_ignored(
        tmp_path: Path, records: Path, scans: list[str], monkeypatch: pytest.MonkeyPatch,
        damage: str) -> None:
    folder = two_quarters(tmp_path / "ws")
    entry = the_entry(records)
    text = entry.read_text(encoding="utf-8")
    data = json.loads(text)
    measures = data["sheets"]["Measures"]
    if damage == "truncated":
        text = text[:len(text) // 2]
    elif damage == "a whole number among the values":
        values = measures["cells"][3][0]
        at = next(i for i, v in enumerate(values) if type(v) is float)
        values[at] = 7
    elif damage == "a place past the values":
        measures["cells"][0][0].pop()  # (the last value met is some cell's)
    elif damage == "places not base64":
        measures["cells"][1][1] = "not base64!"
    elif damage == "a short column":
        measures["cells"][1][1] = shorter(measures["cells"][1][1])
    elif damage == "a column not a pair":
        measures["cells"][1].append([])
    elif damage == "a quarter not canonical":
        measures["runs"][0][0] = "2025/26 Q1"
    elif damage == "negative rows":
        measures["runs"][0][1] = -measures["runs"][0][1]
    elif damage == "a bad digest":
        measures["runs"][0][3] = "0" * 23  # (a checksum is 24 hex digits: verbatim.Checksum)
    elif damage == "a bad part digest":
        measures["packed"] = measures["packed"][:-1] + "g"
    elif damage == "no part digest":
        del measures["packed"]
    elif damage == "rows past the block":
        measures["runs"][0][1] += 1
    elif damage == "an unknown sheet":
        data["sheets"]["Savings"] = measures
    if damage not in ("not json", "{}", "[]", "truncated"):
        text = json.dumps(data)
    elif damage != "truncated":
        text = damage
    entry.write_text(text, encoding="utf-8")
    scans.clear()
    found = read_master(folder.master, touched={str(Q3)})
    assert MasterSheet.MEASURES in scans
    same(found, read_off(folder.master, {str(Q3)}, monkeypatch))


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_cache_folder_others_can_write_to_is_not_trusted(
        tmp_path: Path, records: Path, scans: list[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    folder = two_quarters(tmp_path / "ws")
    entry = the_entry(records)
    data = json.loads(entry.read_text(encoding="utf-8"))
    forge_texts(data)
    entry.write_text(json.dumps(data), encoding="utf-8")
    records.chmod(0o777)
    kept = set(records.iterdir())
    scans.clear()
    found = read_master(folder.master, touched={str(Q3)})
    assert MasterSheet.MEASURES in scans
    same(found, read_off(folder.master, {str(Q3)}, monkeypatch))
    folder.consolidate(Q3)
    assert set(records.iterdir()) == kept  # nothing kept there either


def test_no_record_is_kept_when_the_write_fails(tmp_path: Path, records: Path) -> None:
    folder = two_quarters(tmp_path / "ws")
    kept = set(records.iterdir())
    master = read_master(folder.master)
    before = master_state(folder.master)
    folder.master.write_bytes(folder.master.read_bytes() + b"\0")  # changed meanwhile
    with pytest.raises(MasterError, match="changed by someone else"):
        write_safely(master, folder.master, folder.backups, dt.datetime(2025, 7, 1), before)
    assert set(records.iterdir()) == kept


def test_off_keeps_no_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBOOK_TOOLS_CACHE", "off")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    folder = make_folder(tmp_path / "ws", (Q1,))
    folder.consolidate(Q1)
    assert not (tmp_path / "home").exists()
    assert load_plan(folder.root / "templates" / "plan.xlsx")  # (the plan, read as usual)
