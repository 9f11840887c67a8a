"""The master is never half-written, never lost, and never mistaken for something else."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import Q1
from master_support import Folder, finance_cells, make_folder, without_row_numbers
from support import libreoffice_save, needs_libreoffice

from workbook_tools.errors import ConfigurationError, MasterError
from workbook_tools.master import consolidate as master
from workbook_tools.master import readsheet, safe
from workbook_tools.master import writerows as master_write
from workbook_tools.master.consolidate import read_master


@pytest.fixture
def folder(tmp_path: Path) -> Folder:
    return make_folder(tmp_path / "ws", consolidated=True)


def outputs(folder: Folder) -> list[str]:
    return sorted(str(p.relative_to(folder.master.parent))
                  for p in folder.master.parent.rglob("*") if p.is_file())


def test_a_write_that_fails_half_way_leaves_the_old_master(folder: Folder,
                                                           monkeypatch: Any) -> None:
    before, files = folder.master.read_bytes(), outputs(folder)
    real = master_write.write_row
    calls = []

    def failing(*args: Any) -> None:
        calls.append(1)
        if len(calls) > 60:  # part-way through the Measures sheet
            raise RuntimeError("disk went away")
        real(*args)

    monkeypatch.setattr(master_write, "write_row", failing)

    with pytest.raises(RuntimeError):
        folder.consolidate(Q1)

    assert len(calls) == 61
    assert folder.master.read_bytes() == before
    assert outputs(folder) == files  # no temporary file, no backup


def test_a_write_that_fails_while_saving_the_file_leaves_no_partial_file(
        folder: Folder, monkeypatch: Any) -> None:
    before, files = folder.master.read_bytes(), outputs(folder)
    seen: list[Path] = []

    def failing(real: Any) -> Any:
        def write(self: zipfile.ZipFile, *args: Any, **kwargs: Any) -> None:
            if self.filename and ".tmp-" in str(self.filename):
                seen.append(Path(str(self.filename)))
                if len(seen) > 5:  # some parts are in the file already
                    assert seen[0].exists() and seen[0].stat().st_size > 0
                    raise OSError(28, "No space left on device")
            real(self, *args, **kwargs)
        return write

    monkeypatch.setattr(zipfile.ZipFile, "writestr", failing(zipfile.ZipFile.writestr))
    monkeypatch.setattr(zipfile.ZipFile, "write", failing(zipfile.ZipFile.write))

    with pytest.raises(MasterError, match="could not be written .No space left on device") \
            as raised:
        folder.consolidate(Q1)

    assert "Nothing was changed" in str(raised.value)
    assert seen and seen[0].parent == folder.master.parent
    assert folder.master.read_bytes() == before
    assert outputs(folder) == files


def test_a_master_that_cannot_be_replaced_changes_nothing(folder: Folder,
                                                          monkeypatch: Any) -> None:
    before, files = folder.master.read_bytes(), outputs(folder)

    def refuse(*_: Any) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(safe.os, "replace", refuse)

    # Windows refuses to replace a file another program has open; elsewhere it is protected
    reason = "is open in another program" if os.name == "nt" else "cannot be replaced"
    with pytest.raises(MasterError, match=reason) as raised:
        folder.consolidate(Q1)

    assert "Nothing was changed" in str(raised.value)
    assert folder.master.read_bytes() == before
    assert outputs(folder) == files


@pytest.mark.parametrize("lock", ["~$master.xlsx", ".~lock.master.xlsx#"])
def test_a_master_open_in_excel_or_libreoffice_is_refused(folder: Folder, lock: str) -> None:
    (folder.master.parent / lock).write_bytes(b"someone")
    before = folder.master.read_bytes()

    with pytest.raises(MasterError) as raised:
        folder.consolidate(Q1)

    message = str(raised.value)
    assert message.startswith(str(folder.master)) and "is open in another program" in message
    assert lock in message and "close it and run again" in message
    assert folder.master.read_bytes() == before
    assert not folder.backups.exists()


def test_a_master_changed_while_consolidating_is_not_overwritten(folder: Folder,
                                                                 monkeypatch: Any) -> None:
    real = master.quarter_rows

    def meanwhile(*args: Any) -> Any:
        finance_cells(folder.master, {(str(Q1), folder.plan.savings[0].id): {
            "Finance note": "typed while the run was going"}})
        return real(*args)

    monkeypatch.setattr(master, "quarter_rows", meanwhile)
    with pytest.raises(MasterError, match="changed by someone else"):
        folder.consolidate(Q1)
    rows = read_master(folder.master).rows("Savings")
    assert rows[0]["Finance note"] == "typed while the run was going"


def _not_ours(path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.title = "Budget"
    workbook.active["A1"] = "Cost centre"
    workbook.save(path)


def _renamed_header(path: Path) -> None:
    workbook = openpyxl.load_workbook(path)
    workbook["Savings"]["P1"] = "Finance OK"
    workbook.save(path)


def _extra_sheet(path: Path) -> None:
    workbook = openpyxl.load_workbook(path)
    workbook.create_sheet("Notes")["A1"] = "Remember the pension fund"
    workbook.save(path)


def _truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:3000])


def _extra_column(path: Path) -> None:
    workbook = openpyxl.load_workbook(path)
    workbook["Measures"]["Z3"] = "my own note"
    workbook.save(path)


def _twice(path: Path) -> None:
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Savings"]
    sheet.cell(1, sheet.max_column + 1).value = "Finance note"
    workbook.save(path)


@pytest.mark.parametrize("damage, expected", [
    (_not_ours, "is not a master workbook written by workbook-tools (it has no sheet "
                "'Submissions')"),
    (_renamed_header, "sheet 'Savings' has no column 'Finance confirmed (£)'"),
    (_extra_sheet, "has a sheet 'Notes' that workbook-tools did not write"),
    (_truncated, "cannot be read as the master workbook: it is damaged"),
    (_extra_column, "Measures!Z3 is in a column workbook-tools does not keep"),
    (_twice, "sheet 'Savings' has two columns headed 'Finance note'"),
])
def test_a_master_that_is_not_ours_or_is_damaged_changes_nothing(
        folder: Folder, damage: Any, expected: str) -> None:
    damage(folder.master)
    before, files = folder.master.read_bytes(), outputs(folder)

    with pytest.raises(MasterError) as raised:
        folder.consolidate(Q1)

    assert str(raised.value).startswith(f"{folder.master}: ")
    assert expected in str(raised.value), str(raised.value)
    assert "\n" not in str(raised.value) and "Nothing was changed" in str(raised.value)
    assert folder.master.read_bytes() == before
    assert outputs(folder) == files


def _extra_risks_column(path: Path) -> None:
    workbook = openpyxl.load_workbook(path)
    workbook["Risks"]["Z3"] = "my own note"
    workbook.save(path)


@pytest.mark.parametrize("damage, expected", [
    (_extra_column, "Measures!Z3 is in a column workbook-tools does not keep"),
    (_extra_risks_column, "sheet 'Savings' has two columns headed 'Finance note'"),
])
def test_of_two_sheets_not_as_written_the_first_in_the_master_is_named(
        folder: Folder, damage: Any, expected: str) -> None:
    # (Savings is read before the other sheets; what is wrong is still told in sheet order)
    damage(folder.master)
    _twice(folder.master)
    before = folder.master.read_bytes()

    with pytest.raises(MasterError) as raised:
        folder.consolidate(Q1)

    assert expected in str(raised.value), str(raised.value)
    assert folder.master.read_bytes() == before


def test_a_missing_or_empty_returns_folder_writes_nothing(folder: Folder) -> None:
    before = folder.master.read_bytes()
    shutil.rmtree(folder.returns(Q1))
    with pytest.raises(ConfigurationError, match="there is no such folder"):
        folder.consolidate(Q1)
    folder.returns(Q1).mkdir()
    with pytest.raises(ConfigurationError, match="has no returns"):
        folder.consolidate(Q1)
    assert folder.master.read_bytes() == before


def test_backups_are_kept_for_every_write(folder: Folder) -> None:
    first = folder.master.read_bytes()
    one = folder.consolidate(Q1)
    two = folder.consolidate(Q1)  # the same second: a second name
    assert one.backup is not None and two.backup is not None
    assert one.backup.read_bytes() == first
    assert two.backup.name == one.backup.stem + "-2.xlsx"
    assert not [p for p in folder.master.parent.iterdir() if ".tmp-" in p.name]
    assert zipfile.is_zipfile(folder.master) and os.access(folder.master, os.R_OK)


def test_a_temporary_file_left_by_a_killed_run_is_cleared(folder: Folder) -> None:
    """A run killed while writing leaves master.tmp-PID.xlsx beside the master; the next run
    removes it once it is a day old (a newer one may be another run's, writing now)."""
    stale = folder.master.with_name(folder.master.stem + ".tmp-999999.xlsx")
    recent = folder.master.with_name(folder.master.stem + ".tmp-999998.xlsx")
    for leftover in (stale, recent):
        leftover.write_bytes(b"half a master")
    day_and_a_bit = safe.STALE_TEMPORARY_SECONDS + 60
    os.utime(stale, (stale.stat().st_atime - day_and_a_bit,
                     stale.stat().st_mtime - day_and_a_bit))
    folder.consolidate(Q1)
    assert not stale.exists() and recent.exists()


@needs_libreoffice
def test_a_master_saved_by_libreoffice_is_read_back_without_losing_anything(
        folder: Folder, tmp_path: Path) -> None:
    saving = folder.plan.savings[0]
    finance_cells(folder.master, {(str(Q1), saving.id): {
        "Finance confirmed (£)": 123456.78, "Finance status": "Confirmed",
        "Finance note": "=not a formula, just a note"}})
    ours = read_master(folder.master)
    saved = libreoffice_save(folder.master, tmp_path / "lo")
    shutil.copy(saved, folder.master)

    theirs = read_master(folder.master)
    for sheet in ours.sheets:
        assert without_row_numbers(theirs.rows(sheet)) == without_row_numbers(ours.rows(sheet))
    folder.consolidate(Q1)

    again = read_master(folder.master)
    for sheet in ("Measures", "Actions", "Savings", "Risks", "Submissions", "Validation"):
        assert without_row_numbers(again.rows(sheet)) == without_row_numbers(ours.rows(sheet))
    row = next(r for r in again.rows("Savings") if r["Saving ID"] == saving.id)
    assert row["Finance confirmed (£)"] == 123456.78
    assert row["Finance note"] == "=not a formula, just a note"
    assert len(again.rows("Log")) == 2


@needs_libreoffice
def test_a_master_a_spreadsheet_program_saved_with_much_repeated_text_is_read(
        folder: Folder, tmp_path: Path) -> None:
    """A master saved by Excel or LibreOffice keeps each repeated text once in its shared
    strings; at national scale (four quarters of 60 returns) its Measures sheet uses more text
    than a return may (64 million characters), and every consolidate, summary and validate that
    read it was refused as if it were a bomb. (Scaled: one long message on 2,100 rows.)"""
    from workbook_tools.files.package import DEFAULT_LIMITS
    from workbook_tools.master.read import MASTER_LIMITS

    message = "The figure was checked against the source system and agreed. " * 500
    book = openpyxl.load_workbook(folder.master)
    sheet = book["Validation"]
    for _ in range(2_100):  # 2,100 x 31,500 characters: past the returns' limit
        sheet.append([str(Q1), "Warning", "CS.xlsx", "CS", "Measures", "G5", "a-rule", message])
    book.save(folder.master)
    saved = libreoffice_save(folder.master, tmp_path / "saved")  # shared strings, as Excel's
    with zipfile.ZipFile(saved) as archive:
        assert "xl/sharedStrings.xml" in archive.namelist()
    shutil.copyfile(saved, folder.master)
    assert 2_100 * len(message) > DEFAULT_LIMITS.max_sheet_text
    assert 2_100 * len(message) < MASTER_LIMITS.max_sheet_text

    master = read_master(folder.master)

    kept = [r for r in master.sheets["Validation"] if r.get("Message") == message]
    assert len(kept) == 2_100


def test_a_master_read_a_few_rows_at_a_time_is_read_as_a_whole(
        folder: Folder, monkeypatch: pytest.MonkeyPatch) -> None:
    """calamine's rows are taken a slice at a time (readsheet.SLICE): the rows, their numbers
    and finance's entries are the same however the slices fall."""
    saving = read_master(folder.master).rows("Savings")[-1]
    finance_cells(folder.master, {(saving["Quarter"], saving["Saving ID"]):
                                  {"Finance confirmed (£)": 1234}})
    whole = read_master(folder.master)
    monkeypatch.setattr(readsheet, "SLICE", 2)
    sliced = read_master(folder.master)
    assert len(whole.sheets["Savings"]) > 4
    assert sliced.sheets == whole.sheets
    assert sliced.finance == whole.finance and whole.finance


def test_a_note_in_no_column_far_down_savings_is_named_by_its_cell(
        folder: Folder, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readsheet, "SLICE", 2)
    workbook = openpyxl.load_workbook(folder.master)
    sheet = workbook["Savings"]
    last, beyond = sheet.max_row, sheet.max_column + 2
    sheet.cell(last, beyond).value = "my own note"
    ref = sheet.cell(last, beyond).coordinate
    workbook.save(folder.master)
    before = folder.master.read_bytes()

    with pytest.raises(MasterError) as raised:
        folder.consolidate(Q1)

    assert f"Savings!{ref} is in a column workbook-tools does not keep (it has no header)" \
        in str(raised.value), str(raised.value)
    assert folder.master.read_bytes() == before
