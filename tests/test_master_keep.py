"""What finance and the performance team do in the master themselves survives every run.

The master is edited as they would edit it (openpyxl for the typing, then opened and saved by
LibreOffice so every formula carries its value), then consolidated for another quarter and for
the same quarter again; each time the master is reopened and every item checked row by row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import Q1, Q2
from master_support import Folder, make_folder
from support import libreoffice_save, needs_libreoffice

from workbook_tools.master import columns as mc
from workbook_tools.master.read import read_master

pytestmark = needs_libreoffice

NARRATIVE = [
    (str(Q1), "Overview", "Most savings are on track; two need recovery plans."),
    None,  # a blank row the team left between their notes
    (str(Q1), "PE", "Waste contract savings slipped to Q3."),
]


@pytest.fixture
def folder(tmp_path: Path) -> Folder:
    return make_folder(tmp_path / "ws", quarters=(Q1, Q2))


def insert_column(sheet: Any, before: str, header: str) -> int:
    """Insert a column in the middle of the sheet's table, as Excel's Insert Column does."""
    col = next(c.column for c in sheet[1] if c.value == before)
    sheet.insert_cols(col)
    sheet.cell(1, col).value = header
    (table,) = sheet.tables.values()
    last = sheet.max_column
    table.ref = f"A1:{openpyxl.utils.get_column_letter(last)}{sheet.max_row}"
    table.autoFilter.ref = table.ref
    table.tableColumns = []  # openpyxl names them again from the header row when saving
    return col


def save_in_libreoffice(folder: Folder, workbook: Any) -> None:
    edited = folder.root / "edited" / "master.xlsx"
    edited.parent.mkdir(exist_ok=True)
    workbook.save(edited)
    saved = libreoffice_save(edited, folder.root / "saved")
    folder.master.write_bytes(saved.read_bytes())


def savings_by_key(path: Path) -> tuple[list[str], dict[tuple[str, str], dict[str, Any]]]:
    sheet = openpyxl.load_workbook(path)["Savings"]
    header = [c.value for c in sheet[1]]
    rows = {}
    for row in sheet.iter_rows(min_row=2):
        cells = dict(zip(header, row, strict=False))
        rows[(cells["Quarter"].value, cells["Saving ID"].value)] = cells
    return header, rows


def test_narrative_and_a_column_of_their_own_keep_their_place(folder: Folder) -> None:
    workbook = openpyxl.load_workbook(folder.master)
    savings = workbook["Savings"]
    col = insert_column(savings, "Finance confirmed (£)", "Finance reviewer")
    reviewers = {}
    for row in (2, 5):
        key = (savings.cell(row, 1).value, savings.cell(row, 3).value)
        reviewers[key] = f"Reviewer {row}"
        savings.cell(row, col).value = reviewers[key]
    narrative = workbook["Narrative"]
    for r, line in enumerate(NARRATIVE, start=2):
        for c, value in enumerate(line or (), start=1):
            narrative.cell(r, c).value = value
    save_in_libreoffice(folder, workbook)

    for quarter in (Q2, Q2, Q1):  # another quarter, the same again, then the first again
        folder.consolidate(quarter)

        header, rows = savings_by_key(folder.master)
        assert header[col - 2:col + 1] == ["Commentary", "Finance reviewer",
                                           "Finance confirmed (£)"]
        assert [h for h in header if h != "Finance reviewer"] == list(mc.SAVINGS)
        for key, row in rows.items():
            assert row["Finance reviewer"].value == reviewers.get(key), key
        sheet = openpyxl.load_workbook(folder.master)["Narrative"]
        assert [c.value for c in sheet[1]] == list(mc.NARRATIVE)
        found = [tuple(c.value for c in row) for row in sheet.iter_rows(min_row=2)]
        assert found == [line or (None, None, None) for line in NARRATIVE]
        assert read_master(folder.master).rows("Narrative")[1]["Section"] == "PE"


def test_a_master_from_before_the_narrative_sheet_gets_one(folder: Folder) -> None:
    workbook = openpyxl.load_workbook(folder.master)
    del workbook["Narrative"]
    workbook.save(folder.master)
    assert "Narrative" not in openpyxl.load_workbook(folder.master).sheetnames

    folder.consolidate(Q2)

    names = openpyxl.load_workbook(folder.master).sheetnames
    assert names == list(mc.SHEETS)
    assert read_master(folder.master).rows("Narrative") == []
