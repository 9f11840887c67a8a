"""The master's rows are streamed to disk as XML the tool writes itself (files/rowxml.py): every
kind of value a return or finance can put in a cell reads back as it was, in openpyxl, in
calamine (read_master) and after LibreOffice has opened and saved the file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from support import libreoffice_save, needs_libreoffice

from workbook_tools import helper as helper_process
from workbook_tools.files.rowxml import MAX_TEXT
from workbook_tools.master import columns as mc
from workbook_tools.master import writerows
from workbook_tools.master.keep import Kept
from workbook_tools.master.read import Master, read_master
from workbook_tools.master.write import WIDTH_SAMPLE, write_master

TEXTS = ["=SUM(A1:A9)", "+44 1332 123456", "-5 on last year", "@risk", "a & b < c > d",
         "  two spaces before", "two spaces after  ", "a control\x01character",
         "_x0041_ as typed", "line one\nline two\nline three", "x" * (MAX_TEXT + 500),
         "£1,200 and 12%", "Ünïcödé – “quotes” 😀"]


def _measure(i: int, commentary: Any) -> dict[str, Any]:
    return {"Quarter": "2025-26-Q1", "Directorate": "CS", "Measure ID": f"M{i:04d}",
            "Theme": "People", "Objective code": "PE01", "Objective": "An objective",
            "Measure": f"Measure {i}", "Unit": "%", "Polarity": "Higher is better",
            "Frequency": "Quarterly", "Target": 80, "Amber tolerance (%)": 5.0,
            "Previous actual": None, "Actual": 81.25 + i, "RAG": "Green",
            "Direction of travel": "Improved", "Commentary": commentary,
            "Remedial action": "   "}


@pytest.fixture
def written(tmp_path: Path) -> tuple[Master, Path]:
    master = Master()
    master.sheets["Measures"] = [_measure(i, text) for i, text in enumerate(TEXTS)]
    master.sheets["Measures"] += [_measure(len(TEXTS) + i, "On track")
                                  for i in range(WIDTH_SAMPLE * 3)]
    master.sheets["Measures"][-1]["Commentary"] = "A long commentary " * 12  # after the sample
    master.sheets["Actions"] = [{
        "Quarter": "2025-26-Q1", "Directorate": "CS", "Action ID": "A1", "Due date":
        dt.date(2026, 3, 31), "Revised due date": dt.datetime(2026, 4, 30, 17, 30),
        "% complete": 40, "Status": "On track", "RAG": "Green"}]
    master.sheets["Savings"] = [{
        "Quarter": "2025-26-Q1", "Directorate": "CS", "Saving ID": "S1", "Target (£)": 1e6,
        "Delivered to date (£)": 250_000.5, "Finance confirmed (£)": float("nan"),
        "Finance status": True, "Finance note": dt.date(2026, 1, 15), "Ledger (£)": 240_000}]
    path = tmp_path / "master.xlsx"
    write_master(master, path)
    return master, path


def _expected(value: Any) -> Any:
    if isinstance(value, str):
        return value[:MAX_TEXT] if value.strip() else None
    return value


def test_every_kind_of_value_reads_back(written: tuple[Master, Path]) -> None:
    master, path = written
    back = read_master(path)
    for name in ("Measures", "Actions"):
        assert len(back.sheets[name]) == len(master.sheets[name])
        for mine, read in zip(master.sheets[name], back.sheets[name], strict=True):
            assert {h: read[h] for h in mine} == {h: _expected(v) for h, v in mine.items()}
    saving = back.sheets["Savings"][0]
    assert saving["Finance confirmed (£)"] is None  # not a number: left blank
    assert saving["Finance status"] is True and saving["Finance note"] == dt.date(2026, 1, 15)
    assert saving["Ledger variance (£)"] == -10_000.5  # a live formula, with its value


def test_the_sheet_is_a_table_with_formats_heights_and_widths(
        written: tuple[Master, Path]) -> None:
    master, path = written
    sheet = openpyxl.load_workbook(path)["Measures"]
    rows = len(master.sheets["Measures"])
    (table,) = sheet.tables.values()
    last = get_column_letter(len(mc.MEASURES))
    assert table.ref == f"A1:{last}{rows + 1}"
    headers = [c.value for c in sheet[1]]
    assert tuple(headers) == mc.MEASURES
    commentary = headers.index("Commentary") + 1
    assert sheet.cell(2, commentary).value == "=SUM(A1:A9)"
    assert sheet.cell(2, commentary).data_type == "s"
    assert sheet.cell(11, commentary).alignment.wrap_text
    assert sheet.row_dimensions[11].height == 45  # three lines
    assert sheet.row_dimensions[rows + 1].height > 15  # a long text beyond the width sample
    assert sheet.cell(rows + 1, commentary).value.startswith("A long commentary")
    dates = openpyxl.load_workbook(path)["Actions"]
    assert dates["I2"].value == dt.datetime(2026, 3, 31) and dates["I2"].number_format == \
        "dd/mm/yyyy"
    assert dates["L2"].value == dt.datetime(2026, 4, 30, 17, 30)


@needs_libreoffice
def test_libreoffice_reads_the_streamed_rows(written: tuple[Master, Path],
                                             tmp_path: Path) -> None:
    master, path = written
    saved = libreoffice_save(path, tmp_path / "lo")
    sheet = openpyxl.load_workbook(saved)["Measures"]
    commentary = mc.MEASURES.index("Commentary") + 1
    for row, text in enumerate(TEXTS, start=2):
        if "\x01" in text:  # Excel's _x0001_ escape, which LibreOffice reads only from shared
            continue        # strings; Excel and calamine read it back (above)
        assert sheet.cell(row, commentary).value == _expected(text), row
    assert sheet.max_row == len(master.sheets["Measures"]) + 1


def test_rows_as_sequences_in_header_order_write_the_same_file(
        written: tuple[Master, Path], tmp_path: Path) -> None:
    master, path = written
    for name, rows in master.sheets.items():
        headers = master.headers[name]
        master.sheets[name] = [tuple(map(row.get, headers)) for row in rows]  # type: ignore
    again = tmp_path / "again.xlsx"
    write_master(master, again)
    assert again.read_bytes() == path.read_bytes()


def _people_cells(master: Master) -> None:
    """People's formulas, formats and notes on some Measures rows, as a read keeps them."""
    for at in (1, 5, len(master.sheets["Measures"]) - 2):
        master.sheets["Measures"][at]["_cells"] = {
            "Actual": Kept(row=at + 2, col=13, formula="N2*2", look=(("bold", True),)),
            "Commentary": Kept(row=at + 2, col=16, comment="Checked with the service",
                               author="Finance", look=(("italic", True),))}


def alone_then_two_cores(master: Master, tmp_path: Path, monkeypatch: Any
                         ) -> tuple[Path, list[str]]:
    """`master` written by one process (the file returned), then two cores set, with a helper
    for any write (PARALLEL_CELLS 0), and the sheets whose rows this process writes noted."""
    alone = tmp_path / "alone.xlsx"
    with monkeypatch.context() as env:
        env.setenv("WORKBOOK_TOOLS_WORKERS", "1")
        write_master(master, alone)
    here: list[str] = []  # the sheets whose rows this process wrote
    real = writerows.SheetRows.write_rows

    def noted(self: writerows.SheetRows, *args: Any) -> None:
        here.append(self.name)
        real(self, *args)

    monkeypatch.setenv("WORKBOOK_TOOLS_WORKERS", "2")
    monkeypatch.setattr(writerows, "PARALLEL_CELLS", 0)
    monkeypatch.setattr(writerows.SheetRows, "write_rows", noted)
    return alone, here


@pytest.mark.parametrize("helper", ["writes", "does not start", "fails after writing"])
def test_rows_written_by_a_helper_process_make_the_same_file(
        written: tuple[Master, Path], tmp_path: Path, monkeypatch: Any, helper: str) -> None:
    """On two cores the larger sheets' rows are written by a helper process started afresh
    (master/writehelper.py): the same file as one process writes, with people's formulas,
    formats and notes; a helper that cannot start, or fails once it has written (its sheets'
    files cut back), leaves the rows to this process: the same file again."""
    master, _ = written
    _people_cells(master)
    alone, here = alone_then_two_cores(master, tmp_path, monkeypatch)
    if helper == "does not start":
        monkeypatch.setattr(helper_process, "_START", "import sys\nsys.exit(3)")
    elif helper == "fails after writing":
        monkeypatch.setattr(helper_process, "_START", helper_process._START.replace(
            "sys.exit(", "sys.exit(1 + 0 * "))
    again = tmp_path / "again.xlsx"
    write_master(master, again)
    assert again.read_bytes() == alone.read_bytes()
    assert ("Measures" in here) == (helper != "writes")
    assert "Actions" in here  # (the smaller sheets are this process's either way)


def test_a_helper_started_ahead_writes_the_rows_and_one_not_taken_is_stopped(
        written: tuple[Master, Path], tmp_path: Path, monkeypatch: Any) -> None:
    """A consolidate starts the write's helper while it merges the quarter (helper.start_ahead):
    the write takes it, the same file again; one started ahead and never taken is stopped once
    the write is done, no process left running."""
    master, _ = written
    alone, here = alone_then_two_cores(master, tmp_path, monkeypatch)
    helper_process.start_ahead("workbook_tools.master.writehelper")
    ahead = helper_process._AHEAD["workbook_tools.master.writehelper"]
    again = tmp_path / "again.xlsx"
    write_master(master, again)
    assert again.read_bytes() == alone.read_bytes()
    assert "Measures" not in here and ahead.process.returncode == 0  # (it wrote them)
    helper_process.start_ahead("workbook_tools.master.recordhelper")
    spare = helper_process._AHEAD["workbook_tools.master.recordhelper"]
    write_master(master, tmp_path / "third.xlsx", make_record=False)
    assert spare.process.poll() is not None and not helper_process._AHEAD


def test_a_failure_while_the_helper_writes_is_raised_and_leaves_no_file(
        written: tuple[Master, Path], tmp_path: Path, monkeypatch: Any) -> None:
    master, _ = written
    real = writerows.SheetRows.write_rows

    def failing(self: writerows.SheetRows, *args: Any) -> None:
        if self.name == "Actions":
            raise RuntimeError("disk went away")
        real(self, *args)

    monkeypatch.setenv("WORKBOOK_TOOLS_WORKERS", "2")
    monkeypatch.setattr(writerows, "PARALLEL_CELLS", 0)
    monkeypatch.setattr(writerows.SheetRows, "write_rows", failing)
    started: list[Any] = []
    real_start = helper_process.start

    def start(*args: Any) -> Any:
        started.append(real_start(*args))
        return started[-1]

    monkeypatch.setattr(helper_process, "start", start)
    with pytest.raises(RuntimeError, match="disk went away"):
        write_master(master, tmp_path / "again.xlsx")
    assert not (tmp_path / "again.xlsx").exists()
    assert started and all(h.process.poll() is not None for h in started)  # (not left running)


def test_a_return_columns_kind_in_the_master_comes_from_the_layout() -> None:
    from workbook_tools.returns import layout

    shown = {layout.Kind.MONEY: "money", layout.Kind.DATE: "date",
             layout.Kind.PERCENT: "points", layout.Kind.LONGTEXT: "longtext",
             layout.Kind.SCORE: "integer"}
    checked = 0
    for spec in layout.SHEETS.values():
        for column in spec.in_master:
            if column.kind in shown:
                assert mc.kind_of(str(column.master_header)) == shown[column.kind], column.key
                checked += 1
            if column.key == "rag":
                assert mc.kind_of(str(column.master_header)) == "rag"
    assert checked > 10
    assert mc.kind_of("Score") == mc.kind_of("Previous score") == "integer"  # a risk's


def test_a_text_cell_people_formatted_keeps_its_format_when_its_text_came_before(
        tmp_path: Path) -> None:
    def saving(i: int, **extra: Any) -> dict[str, Any]:
        return {"Quarter": "2025-26-Q1", "Directorate": "CS", "Saving ID": f"S{i}",
                "Finance status": "Confirmed", **extra}

    master = Master()
    bold = {"Finance status": Kept(row=3, col=0, look=(("bold", True),))}
    master.sheets["Savings"] = [saving(1), saving(2, _cells=bold), saving(3)]
    path = tmp_path / "master.xlsx"
    write_master(master, path)
    sheet = openpyxl.load_workbook(path)["Savings"]
    col = [c.value for c in sheet[1]].index("Finance status") + 1
    assert [sheet.cell(r, col).font.b for r in (2, 3, 4)] == [False, True, False]
